/** The stylesheet inlined into report.html: system fonts only, print-friendly, no external resources. */
export const STYLE = `
:root{--ink:#1a202c;--muted:#5a6478;--line:#e2e6ee;--bg:#f6f7fb;--card:#fff;
--pass:#1f7a4d;--pass-bg:#e3f5ec;--fail:#b42318;--fail-bg:#fdecea;--unk:#8a5a00;--unk-bg:#fff4d6;
--ok:#2f9e6a;--failed:#d64545;--dropped:#e0a526;--p50:#2b6cb0;--p90:#7b4bc4;--p99:#dd6b20;--fault:#c53030}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1120px;margin:0 auto;padding:28px 24px 48px}
header.top{display:flex;justify-content:space-between;align-items:flex-start;gap:24px;background:var(--card);border:1px solid var(--line);border-radius:12px;padding:22px 26px;margin-bottom:20px}
.eyebrow{text-transform:uppercase;letter-spacing:.08em;font-size:12px;color:var(--muted);margin:0 0 4px}
h1{font-size:26px;margin:0 0 6px;word-break:break-word}
.meta{color:var(--muted);font-size:14px;margin:0}
.meta span+span:before{content:"·";margin:0 8px;color:#b0b7c5}
.verdict{text-align:right;min-width:190px}
.badge{display:inline-block;font-weight:700;letter-spacing:.06em;border-radius:8px;padding:8px 18px;font-size:22px}
.badge.pass{background:var(--pass-bg);color:var(--pass);border:1px solid #9fd8bb}
.badge.fail{background:var(--fail-bg);color:var(--fail);border:1px solid #f3b0a9}
.badge.unknown{background:var(--unk-bg);color:var(--unk);border:1px solid #f0d08a}
.verdict p{margin:8px 0 0;color:var(--muted);font-size:13px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:12px;margin-bottom:20px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px}
.card .k{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em}
.card .v{font-size:22px;font-weight:650;margin-top:2px;font-variant-numeric:tabular-nums}
.card .s{font-size:12.5px;color:var(--muted)}
section{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:18px 22px;margin-bottom:20px}
h2{font-size:17px;margin:0 0 12px}
h3{font-size:14px;margin:14px 0 6px;color:var(--muted);font-weight:600}
table{width:100%;border-collapse:collapse;font-size:14px}
th{text-align:left;font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em;border-bottom:2px solid var(--line);padding:8px 10px}
td{border-bottom:1px solid var(--line);padding:9px 10px;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.fail td{background:#fff8f7}
tr.unknown td{background:#fffcf2}
td code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
.detail{color:var(--muted);font-size:12.5px}
.pill{display:inline-block;font-size:12px;font-weight:700;border-radius:999px;padding:2px 10px;letter-spacing:.04em}
.pill.pass{background:var(--pass-bg);color:var(--pass)}
.pill.fail{background:var(--fail-bg);color:var(--fail)}
.pill.unknown{background:var(--unk-bg);color:var(--unk)}
.legend{display:flex;flex-wrap:wrap;gap:16px;font-size:13px;color:var(--muted);margin:0 0 6px}
.legend i{display:inline-block;width:14px;height:3px;vertical-align:middle;margin-right:6px;border-radius:2px}
.legend i.box{height:12px;width:12px}
.legend .p50{background:var(--p50)}.legend .p90{background:var(--p90)}.legend .p99{background:var(--p99)}
.legend .ok{background:var(--ok)}.legend .failed{background:var(--failed)}.legend .dropped{background:var(--dropped)}
.legend .fault{background:rgba(197,48,48,.14);border:1px solid rgba(197,48,48,.5)}
.legend .ref{background:none;border-top:2px dashed #4a5568;height:0}
svg.chart{width:100%;height:auto;display:block}
svg .grid{stroke:#edf0f5;stroke-width:1}
svg .baseline{stroke:#a0aec0;stroke-width:1}
svg .tick-mark{stroke:#a0aec0}
svg .tick{font-size:12px;fill:#5a6478}
svg .axis-title{font-size:12px;fill:#5a6478}
svg .line{fill:none;stroke-width:2;stroke-linejoin:round;stroke-linecap:round}
svg .line.p50{stroke:var(--p50)}svg .line.p90{stroke:var(--p90)}svg .line.p99{stroke:var(--p99)}
svg .area.ok{fill:var(--ok);opacity:.85}svg .area.failed{fill:var(--failed)}svg .area.dropped{fill:var(--dropped)}
svg .fault-band{fill:rgba(197,48,48,.10)}
svg .overlay .fault-band{fill:rgba(255,255,255,.2)}
svg .fault-bar{fill:var(--fault);opacity:.75}
svg .overlay .fault-edge{stroke:var(--fault);stroke-width:1.5}
.card .k.raw{text-transform:none;letter-spacing:0}
svg .fault-edge{stroke:rgba(197,48,48,.55);stroke-width:1;stroke-dasharray:3 3}
svg .fault-label{font-size:12px;font-weight:600;fill:var(--fault)}
svg .ref line{stroke:#4a5568;stroke-width:1.2;stroke-dasharray:6 4}
svg .ref text{font-size:12px;fill:#4a5568;font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}
svg .hover{fill:transparent}svg .hover:hover{fill:rgba(26,32,44,.06)}
.empty{color:var(--muted);font-style:italic}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;margin:0;font-size:14px}
dt{color:var(--muted)}dd{margin:0;font-variant-numeric:tabular-nums;word-break:break-word}
pre{background:#f4f6fa;border:1px solid var(--line);border-radius:8px;padding:12px;overflow:auto;font-size:12.5px;margin:0}
footer{color:var(--muted);font-size:12.5px;text-align:center}
footer a{color:inherit}
@media print{body{background:#fff}section,header.top,.card{break-inside:avoid}}
`;
