// api.js - the HTTP JSON API under /api/ (docs/api.md): sign-in, passwords,
// invitations, events, attendance and the administrators' endpoints.  No
// DOM code here (like protocol.js): the UI modules call these and show the
// results.  The session is an HttpOnly cookie the browser keeps; every call
// resolves with the parsed JSON reply or rejects with an ApiError
// {status, code, reason, data} (data: the whole error body, e.g. the
// `issues` of an invalid roster).

export class ApiError extends Error {
  constructor(status, code, reason, data = null) {
    super(reason || code);
    this.status = status;
    this.code = code;
    this.reason = reason || '';
    this.data = data;
  }
}

/** One request: method, path below /api/, a JSON body (or {csv: text}). */
export async function call(method, path, body = undefined) {
  const init = { method, credentials: 'same-origin', headers: {} };
  if (body !== undefined && body !== null) {
    if (typeof body === 'object' && typeof body.csv === 'string') {
      init.headers['Content-Type'] = 'text/csv; charset=utf-8';
      init.body = body.csv;
    } else if (typeof body === 'object' && body.csv instanceof ArrayBuffer) {
      init.headers['Content-Type'] = 'text/csv';   // bytes as read from the file
      init.body = body.csv;
    } else {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
  }
  let res;
  // 503 busy (a sign-in storm): the server did nothing; try again after a
  // growing, jittered delay (0.5 s doubling to 8 s) for up to 90 s.  A
  // sign-in whose connection failed (reset, or closed unanswered by an
  // overloaded server) is tried again the same way: signing in twice only
  // opens a second session.  Other requests are not repeated on a network
  // error: they may have been done.
  const again = method === 'POST' && path === 'login';
  for (let attempt = 0, waited = 0; ; attempt++) {
    let failed = null;
    try {
      res = await fetch(`/api/${path}`, init);
    } catch (err) {
      failed = err;
    }
    if (failed && (!again || waited > 90000)) {
      throw new ApiError(0, 'network', failed.message ? failed.message : 'network error');
    }
    if (!failed && (res.status !== 503 || waited > 90000)) break;
    const delay = Math.min(8000, 500 * 2 ** attempt) * (0.5 + Math.random());
    await new Promise((r) => setTimeout(r, delay));
    waited += delay;
  }
  let data = null;
  const text = await res.text();
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = null;
  }
  if (!res.ok) {
    const code = (data && data.error) || (res.status === 404 ? 'not-found' : 'http');
    throw new ApiError(res.status, code, (data && data.reason) || `HTTP ${res.status}`, data);
  }
  return data || {};
}

const enc = encodeURIComponent;

// --- sign-in, sessions, passwords, invitations ---

/** {person, name, email, roles, platformAdmin, adminOrgs, mustChangePassword} */
export const login = (email, password) => call('POST', 'login', { email, password });
export const logout = () => call('POST', 'logout', {});
/** The signed-in person (as login), or rejects with 401 sign-in-required. */
export const me = () => call('GET', 'me');
/** Who is signed in, without an error when nobody is: the person (as
 *  login) or null; rejects with blocked (403) for a blocked account. */
export async function session() {
  const r = await call('GET', 'session');
  if (r.signedIn) return r;
  if (r.blocked) throw new ApiError(403, 'blocked', 'this account is blocked');
  return null;
}
export const changePassword = (old, next) => call('POST', 'password', { old, new: next });
export const requestReset = (email) => call('POST', 'password-reset', { email });
/** {valid: true}, or rejects with token-used / token-expired / invalid-token / blocked. */
export const checkReset = (token) =>
  call('GET', `password-reset/check?token=${encodeURIComponent(token)}`);
export const confirmReset = (token, next) =>
  call('POST', 'password-reset/confirm', { token, new: next });
/** {event, person, name, title}; sets the session cookie. */
export const acceptInvitation = (token) => call('POST', 'invitations/accept', { token });

// --- events and attendance ---

/** {events: [{id, title, kind, room, role, roomRole, voting, mayManage,
 *  mayExportAttendance, startsAt, endsAt}]} */
export const events = () => call('GET', 'events');
/** {email, name} or {person} -> {event, person, token, link, expires} */
export const invite = (eventId, who) => call('POST', `events/${enc(eventId)}/invitations`, who);
export const attendance = (eventId) => call('GET', `events/${enc(eventId)}/attendance`);
// A page of the live roll (roster order, present flags): {event, present, total, offset, people}.
export const roll = (eventId, offset, limit) =>
  call('GET', `events/${enc(eventId)}/roll?offset=${enc(offset)}&limit=${enc(limit)}`);
/** The CSV for a spreadsheet in lang (ru: ';' and Russian headers, with a BOM). */
// The minutes (docs/api.md, "Minutes and votes").
export const minutes = (eventId) => call('GET', `events/${enc(eventId)}/minutes`);
export const minutesDecision = (eventId, item, decision) =>
  call('POST', `events/${enc(eventId)}/minutes/decisions/${enc(item)}`, { decision });
export const minutesFinalize = (eventId) =>
  call('POST', `events/${enc(eventId)}/minutes/finalize`, {});
export const minutesHtmlUrl = (eventId, lang) =>
  `/api/events/${enc(eventId)}/minutes.html?lang=${enc(lang)}`;
export const votesCsvUrl = (eventId) => `/api/events/${enc(eventId)}/votes.csv`;
export const votesJsonUrl = (eventId) => `/api/events/${enc(eventId)}/votes.json`;
export const attendanceCsvUrl = (eventId, lang) =>
  `/api/events/${enc(eventId)}/attendance.csv${lang ? `?lang=${enc(lang)}` : ''}`;
export const attendanceHtmlUrl = (eventId, lang) =>
  `/api/events/${enc(eventId)}/attendance.html?lang=${enc(lang)}`;

// --- administration ---

export const admin = {
  orgs: () => call('GET', 'admin/orgs'),
  createOrg: (o) => call('POST', 'admin/orgs', o),
  /** {people, total, offset, limit}: q searches names and e-mails; limit 0: all. */
  people: (org, q = '', offset = 0, limit = 0) => {
    const qs = auditQuery({ org, q, offset: offset || '', limit: limit || '' });
    return call('GET', `admin/people${qs ? `?${qs}` : ''}`);
  },
  /** {email, name, password?, org?} -> {person, resetLink?} */
  createAccount: (a) => call('POST', 'admin/accounts', a),
  block: (id) => call('POST', `admin/accounts/${enc(id)}/block`, {}),
  unblock: (id) => call('POST', `admin/accounts/${enc(id)}/unblock`, {}),
  /** -> {resetLink} */
  reset: (id) => call('POST', `admin/accounts/${enc(id)}/reset`, {}),
  bodies: () => call('GET', 'admin/bodies'),
  createBody: (b) => call('POST', 'admin/bodies', b),
  courses: () => call('GET', 'admin/courses'),
  createCourse: (k) => call('POST', 'admin/courses', k),
  /** kind: 'body' | 'course' -> {members: [{person, name, email, role, voting}]} */
  roster: (kind, id) => call('GET', `admin/roster/${kind}/${enc(id)}`),
  /** CSV text or the file's bytes (an ArrayBuffer); rejects with 422
   *  invalid-roster (data.issues: [{line, message, code, args}]). */
  importRoster: (kind, id, csv, replace = false) =>
    call('POST', `admin/roster/${kind}/${enc(id)}${replace ? '?replace=1' : ''}`, { csv }),
  events: () => call('GET', 'admin/events'),
  createEvent: (e) => call('POST', 'admin/events', e),
  addGuest: (id, g) => call('POST', `admin/events/${enc(id)}/guests`, g),
  // editing and deleting (docs/api.md, "Editing and deleting")
  updateOrg: (id, o) => call('PATCH', `admin/orgs/${enc(id)}`, o),
  deleteOrg: (id) => call('DELETE', `admin/orgs/${enc(id)}`),
  /** {admins: [{person, name, email}]} */
  orgAdmins: (id) => call('GET', `admin/orgs/${enc(id)}/admins`),
  addOrgAdmin: (id, person) => call('POST', `admin/orgs/${enc(id)}/admins`, { person }),
  removeOrgAdmin: (id, person) => call('DELETE', `admin/orgs/${enc(id)}/admins/${enc(person)}`),
  updatePerson: (id, p) => call('PATCH', `admin/people/${enc(id)}`, p),
  deletePerson: (id) => call('DELETE', `admin/people/${enc(id)}`),
  /** Everything kept about the person (JSON). */
  exportPerson: (id) => call('GET', `admin/people/${enc(id)}/export`),
  erasePerson: (id) => call('POST', `admin/people/${enc(id)}/erase`, {}),
  deleteAccount: (id) => call('DELETE', `admin/accounts/${enc(id)}`),
  updateBody: (id, b) => call('PATCH', `admin/bodies/${enc(id)}`, b),
  deleteBody: (id) => call('DELETE', `admin/bodies/${enc(id)}`),
  updateCourse: (id, k) => call('PATCH', `admin/courses/${enc(id)}`, k),
  deleteCourse: (id) => call('DELETE', `admin/courses/${enc(id)}`),
  /** {title?, startsAt?, endsAt?, cancelled?, maxParticipants? (null: the room kind's)} */
  updateEvent: (id, e) => call('PATCH', `admin/events/${enc(id)}`, e),
  deleteEvent: (id) => call('DELETE', `admin/events/${enc(id)}`),
  guests: (id) => call('GET', `admin/events/${enc(id)}/guests`),
  removeGuest: (id, person) => call('DELETE', `admin/events/${enc(id)}/guests/${enc(person)}`),
  /** The audit log: {entries, offset, limit}; filter {org, action, person, from, to, offset, limit}. */
  audit: (filter = {}) => call('GET', `admin/audit?${auditQuery(filter)}`),
  auditCsvUrl: (filter = {}, lang = '') =>
    `/api/admin/audit.csv?${auditQuery({ ...filter, lang })}`,
};

// --- lessons (the archive of recorded trainings) ---

const guestQuery = (guest) => (guest ? `?guest=${enc(guest)}` : '');
/** {lessons: [...]} of my courses, or of one course (then keepDays, canEdit too). */
export const lessons = (courseId = null) =>
  call('GET', courseId ? `lessons?course=${enc(courseId)}` : 'lessons');
export const lesson = (id, guest = null) => call('GET', `lessons/${enc(id)}${guestQuery(guest)}`);
export const describeLesson = (id, fields) => call('PATCH', `lessons/${enc(id)}`, fields);
export const deleteLesson = (id) => call('DELETE', `lessons/${enc(id)}`);
export const lessonGuestLink = (id, hours) =>
  call('POST', `lessons/${enc(id)}/guest-links`, { hours });
export const lessonVideoUrl = (id, guest = null, download = false) => {
  const q = [];
  if (guest) q.push(`guest=${enc(guest)}`);
  if (download) q.push('download=1');
  return `/api/lessons/${enc(id)}/video${q.length ? `?${q.join('&')}` : ''}`;
};
export const lessonChaptersUrl = (id, guest = null) =>
  `/api/lessons/${enc(id)}/chapters.vtt${guestQuery(guest)}`;
/** k=v&... of the members that are set, each encoded (%20 for a space:
 *  the server does not read '+' as one). */
function auditQuery(filter) {
  return Object.entries(filter)
    .filter(([, v]) => v !== '' && v !== null && v !== undefined && v !== 0)
    .map(([k, v]) => `${enc(k)}=${enc(String(v))}`).join('&');
}
// --- an event's agenda (docs/api.md, "Agenda") ---

/** {event, items: [{id, position, title, speaker, startedAt, endedAt}], current} */
export const agenda = (event) => call('GET', `events/${enc(event)}/agenda`);
export const agendaAdd = (event, title, speaker) =>
  call('POST', `events/${enc(event)}/agenda`, speaker ? { title, speaker } : { title });
export const agendaRemove = (event, item) =>
  call('POST', `events/${enc(event)}/agenda/${enc(item)}/remove`, {});
export const agendaMove = (event, item, position) =>
  call('POST', `events/${enc(event)}/agenda/${enc(item)}/move`, { position });
