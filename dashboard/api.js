// The dashboard is a client of the API (docs/api-contract.md); the session is the HttpOnly cookie set at login.

export class ApiError extends Error {
  constructor(status, body) {
    const message = Array.isArray(body?.message) ? body.message.join('; ') : body?.message || `HTTP ${status}`;
    super(message);
    this.status = status;
    this.body = body;
    /** One readable line per failing field, for validation errors (400). */
    this.messages = Array.isArray(body?.message) ? body.message : [message];
  }
}

/** Called when the session is gone (401), so the app can show the login page. */
let onUnauthenticated = () => undefined;
export function whenUnauthenticated(fn) {
  onUnauthenticated = fn;
}

export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const text = await res.text();
  let data;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = text;
  }
  if (!res.ok) {
    if (res.status === 401 && path !== '/api/auth/login') onUnauthenticated();
    throw new ApiError(res.status, data);
  }
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body ?? {});
export const patch = (path, body) => api('PATCH', path, body);
export const put = (path, body) => api('PUT', path, body);
export const del = (path, body) => api('DELETE', path, body);

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
