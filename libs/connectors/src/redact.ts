/** Removes every secret (tokens, client secrets, codes) from a text before it reaches an error or a log. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  }
  return out.replace(/(access_token|refresh_token|client_secret|code_verifier|fb_exchange_token)=[^&\s"]+/g, '$1=[redacted]');
}
