/**
 * Every MQTT topic nines uses, and who may publish or subscribe to it. The broker
 * enforces `mayPublish` / `maySubscribe` for each authenticated client, so a role can only
 * touch its own topics (a worker cannot read an api server's replies, for instance).
 *
 *   nines/jobs/submit                 api    -> broker  batch frame: Submission (jobs + images, acks riding along)
 *   nines/jobs/acks                   api    -> broker  JSON: AckList (replies the api got from workers
 *                                     directly, with no submission to ride on)
 *   nines/workers/<id>/credit         worker -> broker  JSON: Credit (jobs it will take; acks riding along)
 *   nines/workers/<id>/jobs           broker -> worker  batch frame: Dispatch (jobs + images)
 *   nines/api/<id>/reply              worker|broker -> api  batch frame: ReplyBatch (+ images); from a
 *                                     worker it is also the jobs' ack (the broker sees it pass)
 *   nines/usage/batches               api    -> usage   JSON: UsageBatch
 *   nines/api/<id>/usage-ack          usage  -> api     JSON: { batchId }
 *
 * The messages themselves, and the one ack protocol, are in system/lib/jobs.ts.
 */
export const roles = ['api', 'worker', 'usage'] as const;
export type Role = (typeof roles)[number];

export const topics = {
  submit: 'nines/jobs/submit',
  jobAcks: 'nines/jobs/acks',
  workerCredit: (id: string) => `nines/workers/${id}/credit`,
  workerJobs: (id: string) => `nines/workers/${id}/jobs`,
  apiReply: (id: string) => `nines/api/${id}/reply`,
  usageBatches: 'nines/usage/batches',
  usageAck: (id: string) => `nines/api/${id}/usage-ack`,
} as const;

/** True for `nines/api/<id>/reply`. */
export const isApiReply = (topic: string) => topic.startsWith('nines/api/') && topic.endsWith('/reply');

/** True for `nines/api/<id>/usage-ack`. */
export const isUsageAck = (topic: string) => topic.startsWith('nines/api/') && topic.endsWith('/usage-ack');

/** MQTT usernames are `<role>:<instance id>`; ids are restricted so they are safe in topics. */
const idPattern = /^[A-Za-z0-9_.-]{1,64}$/;

export interface Principal {
  role: Role;
  id: string;
}

export function parseUsername(username: string | undefined): Principal | undefined {
  if (!username) return undefined;
  const i = username.indexOf(':');
  if (i < 0) return undefined;
  const role = username.slice(0, i) as Role;
  const id = username.slice(i + 1);
  if (!roles.includes(role) || !idPattern.test(id)) return undefined;
  return { role, id };
}

export const usernameOf = (p: Principal) => `${p.role}:${p.id}`;

const segments = (topic: string) => topic.split('/');

/** True when `p` may publish to `topic`. Wildcards are never valid in a publish topic. */
export function mayPublish(p: Principal, topic: string): boolean {
  if (topic.includes('+') || topic.includes('#')) return false;
  const s = segments(topic);
  switch (p.role) {
    case 'api':
      return topic === topics.submit || topic === topics.jobAcks || topic === topics.usageBatches;
    case 'worker':
      if (topic === topics.workerCredit(p.id)) return true;
      // A worker answers whichever api server asked, so it may publish to any reply topic.
      return s.length === 4 && s[0] === 'nines' && s[1] === 'api' && s[3] === 'reply' && idPattern.test(s[2] ?? '');
    case 'usage':
      return s.length === 4 && s[0] === 'nines' && s[1] === 'api' && s[3] === 'usage-ack' && idPattern.test(s[2] ?? '');
  }
}

/** True when `p` may subscribe to `filter`: only the exact topics addressed to it. */
export function maySubscribe(p: Principal, filter: string): boolean {
  switch (p.role) {
    case 'api':
      return filter === topics.apiReply(p.id) || filter === topics.usageAck(p.id);
    case 'worker':
      return filter === topics.workerJobs(p.id);
    case 'usage':
      return filter === topics.usageBatches;
  }
}
