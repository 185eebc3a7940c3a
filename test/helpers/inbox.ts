// Reads the codes the emulator "sent" from its /_local/messages endpoint, as a person would read their inbox.

export interface SentMessage {
  to: string;
  username: string;
  kind: string;
  code: string;
  sentAt: string;
}

export async function messages(endpoint: string): Promise<SentMessage[]> {
  const res = await fetch(`${endpoint}/_local/messages`);
  if (!res.ok) throw new Error(`/_local/messages answered ${res.status}`);
  return (await res.json()) as SentMessage[];
}

/** The newest code of `kind` sent to `to`; throws when there is none. */
export async function latestCode(endpoint: string, to: string, kind: string): Promise<string> {
  const found = (await messages(endpoint)).filter((m) => m.to === to && m.kind === kind).at(-1);
  if (!found) throw new Error(`no ${kind} message to ${to}`);
  return found.code;
}

/** How many messages of `kind` went to `to`. */
export async function countMessages(endpoint: string, to: string, kind: string): Promise<number> {
  return (await messages(endpoint)).filter((m) => m.to === to && m.kind === kind).length;
}
