/** An instant in epoch seconds as RFC 3339 UTC without a zero fraction, as the console shows expiries. */
export const instantText = (epochSeconds: number): string =>
  new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z');

/** An RFC 3339 UTC timestamp to the minute ("2026-12-01 17:40Z"), as the console's tables show times. */
export const minuteText = (timestamp: string): string => timestamp.replace(/:\d\d(\.\d+)?Z$/, 'Z').replace('T', ' ');
