// Who is signed in: the token (api.js) and the member it names, read once per page load.
import * as api from "./api.js";

let me = null;

export async function loadMe() {
  if (!api.token()) { me = null; return null; }
  try { me = await api.get("/api/members/me"); } catch (problem) {
    if (problem.status === 401 || problem.status === 404) { api.setToken(null); me = null; } else throw problem;
  }
  return me;
}

export const current = () => me;
export const hasRole = (role) => !!(me && me.roles && me.roles.includes(role));

export async function signIn(reply) {
  api.setToken(reply.token);
  return loadMe();
}

// Logout: the server forgets the token where it offers POST /api/auth/logout; where it does
// not yet (404/405), forgetting it here is all there is to do.
export async function signOut() {
  try { await api.post("/api/auth/logout"); } catch { /* not offered: nothing to revoke */ }
  api.setToken(null);
  me = null;
}
