/**
 * The TurboJPEG binding (turbojpeg/turbojpeg.c, built by scripts/build-native.sh), loaded
 * once and typed. Loading can fail (not built on this machine, libturbojpeg missing): the
 * caller gets the error and decodes with sharp instead, so a worker never fails to start
 * for want of its fast path.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface JpegHeader {
  width: number;
  height: number;
  colorspace: 'rgb' | 'ycbcr' | 'gray' | 'cmyk' | 'ycck' | 'unknown';
}

export type ScaleDenominator = 2 | 4 | 8;

export interface TurboJpeg {
  /** The frame header's size and colour space; throws on a stream it cannot parse. */
  header(jpeg: Buffer): JpegHeader;
  /** Decodes to packed RGB at 1/denom scale (ceil of each side) into `out`, off the event loop. */
  decode(jpeg: Buffer, denom: ScaleDenominator, out: Buffer): Promise<void>;
}

export const BINDING_PATH = fileURLToPath(new URL('./turbojpeg/build/turbojpeg.node', import.meta.url));

/** The binding, or the reason it cannot be used here. */
export function loadTurboJpeg(path: string = BINDING_PATH): TurboJpeg | Error {
  try {
    const binding = createRequire(import.meta.url)(path) as TurboJpeg;
    if (typeof binding.header !== 'function' || typeof binding.decode !== 'function') return new Error(`${path} is not the TurboJPEG binding`);
    return binding;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}
