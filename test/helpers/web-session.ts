import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/** A browser-like client for `app.inject`: keeps cookies and reads the CSRF token from pages. */
export class WebSession {
  private readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(private readonly app: FastifyInstance) {}

  private remember(res: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired = c.maxAge === 0 || (c.expires && c.expires.getTime() <= Date.now()) || c.value === '';
      if (expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(res.body)?.[1];
    if (token) this.csrf = token;
    return res;
  }

  private get cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(url: string) {
    return this.remember(await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader } }));
  }

  /** A form POST; `_csrf` is added from the last page unless the form sets it (or null to omit). */
  async post(url: string, form: Record<string, string | string[] | null> = {}) {
    const params = new URLSearchParams();
    const withToken = '_csrf' in form ? form : { ...form, _csrf: this.csrf };
    for (const [k, v] of Object.entries(withToken)) {
      if (v === null) continue;
      for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
    }
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        headers: { cookie: this.cookieHeader, 'content-type': 'application/x-www-form-urlencoded' },
        payload: params.toString(),
      }),
    );
  }

  async login(email: string, password: string) {
    await this.get('/login');
    const res = await this.post('/login', { email, password });
    if (res.statusCode !== 303) throw new Error(`login as ${email} failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
    await this.get('/');
    return res;
  }

  hasSession() {
    return this.cookies.has('rapport_session');
  }
}
