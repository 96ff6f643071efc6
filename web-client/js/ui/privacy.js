// ui/privacy.js - the privacy notice under the sign-in form: the
// organization's own text (GET /api/privacy, set on the admin pages) when
// there is one, else the built-in one in the page's language
// (admin.privacy.default).  A custom notice is shown as written, in
// whatever language the organization wrote it.

import { call } from '../api.js';
import { $ } from './dom.js';

export async function loadPrivacyNotice() {
  let r = null;
  try {
    r = await call('GET', 'privacy');
  } catch {
    return;   // the built-in text stays
  }
  const p = $('privacy-text');
  if (r && r.notice && p) {
    p.removeAttribute('data-i18n');
    p.textContent = r.notice;
  }
}
