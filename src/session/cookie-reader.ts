// Reads one cookie's value out of a Cookie header on Node's own request, before Koa and its cookies module.

const SPECIAL = /[.*+?^${}()|[\]\\]/g;

/** A cookie's value as the `cookies` module reads it (the first `name=` of the header, quotes taken off). */
export function cookieReader(name: string): (header: string) => string | undefined {
  const pattern = new RegExp(`(?:^|;) *${name.replace(SPECIAL, '\\$&')}=([^;]*)`);
  return (header) => {
    const value = pattern.exec(header)?.[1];
    if (value === undefined) return undefined;
    return value[0] === '"' ? value.slice(1, -1) : value;
  };
}
