// ui/signin.js - the account screens: sign-in (e-mail, password), "forgot
// password" (asks the server to mail a reset link), the reset page a mailed
// link opens (?reset=TOKEN), and the password-change dialog (any signed-in
// person; forced when the account must change its password).  The HTTP
// calls are api.js's; what happens after a sign-in is app.js's business.

import * as api from '../api.js';
import { errorText, t } from '../i18n.js';
import { $ } from './dom.js';

/** Show an API error (or a translated key) in a form's error line; null hides it. */
export function formError(el, err) {
  if (!err) {
    el.hidden = true;
    el.textContent = '';
    return;
  }
  el.textContent = typeof err === 'string' ? t(err) : errorText(err.code, err.reason);
  el.hidden = false;
}

// A sign-in still unanswered after this long is waiting in the server's queue.
const SLOW_SIGNIN_MS = 3000;

function busy(button, on, key) {
  button.disabled = on;
  button.textContent = t(on ? 'working' : key);
}

export class SignIn {
  /** onSignedIn(me) after a successful sign-in; go(view) switches screens. */
  constructor({ onSignedIn, go }) {
    this.onSignedIn = onSignedIn;
    this.go = go;
    $('signin-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    $('forgot-open').addEventListener('click', (e) => {
      e.preventDefault();
      $('forgot-email').value = $('signin-email').value;
      formError($('forgot-error'), null);
      $('forgot-done').hidden = true;
      go('forgot');
      $('forgot-email').focus();
    });
    for (const a of document.querySelectorAll('.to-signin')) {
      a.addEventListener('click', (e) => {
        e.preventDefault();
        history.replaceState(null, '', location.pathname);
        go('signin');
      });
    }
    $('forgot-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.forgot();
    });
    $('reset-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.reset();
    });
    this.resetToken = null;
  }

  async submit() {
    const button = $('signin-submit');
    if (button.disabled) return;
    formError($('signin-error'), null);
    busy(button, true, 'signin.submit');
    // In a sign-in storm the server queues the password check (and api.js
    // retries a 503 by itself): after a few seconds, say so.
    const wait = $('signin-wait');
    const slow = setTimeout(() => {
      wait.textContent = t('bigroom.signin_queued');
      wait.hidden = false;
    }, SLOW_SIGNIN_MS);
    const waited = () => {
      clearTimeout(slow);
      wait.hidden = true;
      wait.textContent = '';
    };
    let me;
    try {
      me = await api.login($('signin-email').value.trim(), $('signin-password').value);
    } catch (err) {
      waited();
      busy(button, false, 'signin.submit');
      if (err.code === 'wrong-credentials') formError($('signin-error'), 'signin.wrong');
      else if (err.code === 'blocked') formError($('signin-error'), 'signin.blocked');
      else formError($('signin-error'), err);
      $('signin-password').select();
      return;
    }
    waited();
    busy(button, false, 'signin.submit');
    $('signin-password').value = '';
    this.onSignedIn(me);
  }

  async forgot() {
    const button = $('forgot-submit');
    if (button.disabled) return;
    formError($('forgot-error'), null);
    $('forgot-done').hidden = true;
    busy(button, true, 'forgot.submit');
    try {
      const r = await api.requestReset($('forgot-email').value.trim());
      // mail: false - this server sends no mail (said for every address):
      // only an administrator can help.
      const done = $('forgot-done');
      done.dataset.i18n = r.mail === false ? 'forgot.no_mail' : 'forgot.sent';
      done.textContent = t(done.dataset.i18n);
      done.classList.toggle('warn', r.mail === false);
      done.hidden = false;
    } catch (err) {
      formError($('forgot-error'), err);
    }
    busy(button, false, 'forgot.submit');
  }

  /** The page a reset link opens. */
  showReset(token) {
    this.resetToken = token;
    formError($('reset-error'), null);
    $('reset-done').hidden = true;
    $('reset-submit').hidden = false;
    this.go('reset');
    $('reset-new').focus();
    // Say at once when the link cannot be used (used before, expired),
    // rather than after the person has typed a new password twice.
    api.checkReset(token).catch((err) => {
      if (this.resetToken !== token || err.code === 'network') return;
      formError($('reset-error'), err);
      $('reset-submit').hidden = true;
    });
  }

  async reset() {
    const button = $('reset-submit');
    if (button.disabled) return;
    formError($('reset-error'), null);
    if ($('reset-new').value !== $('reset-repeat').value) {
      formError($('reset-error'), 'pw.mismatch');
      return;
    }
    busy(button, true, 'reset.submit');
    try {
      await api.confirmReset(this.resetToken, $('reset-new').value);
      $('reset-done').hidden = false;
      button.hidden = true;
      $('reset-new').value = $('reset-repeat').value = '';
      // The token is spent: the address should no longer carry it.
      history.replaceState(null, '', location.pathname);
    } catch (err) {
      formError($('reset-error'), err);
    }
    busy(button, false, 'reset.submit');
  }

  render() {
    for (const [id, key] of [['signin-submit', 'signin.submit'], ['forgot-submit', 'forgot.submit'],
      ['reset-submit', 'reset.submit']]) {
      if (!$(id).disabled) $(id).textContent = t(key);
    }
  }
}

/** The password-change dialog. */
export class PasswordDialog {
  constructor({ onChanged }) {
    this.dialog = $('password-dialog');
    this.onChanged = onChanged;
    this.forced = false;
    this.done = null;
    $('pw-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    $('pw-cancel').addEventListener('click', () => this.close(false));
    // Escape closes a dialog: not while the change is required.
    this.dialog.addEventListener('cancel', (e) => {
      if (this.forced) e.preventDefault();
      else this.close(false);
    });
  }

  /** Open; resolves true once changed, false when cancelled. */
  open({ forced = false } = {}) {
    this.forced = forced;
    $('pw-forced').hidden = !forced;
    $('pw-cancel').hidden = forced;
    for (const id of ['pw-old', 'pw-new', 'pw-repeat']) $(id).value = '';
    formError($('pw-error'), null);
    if (!this.dialog.open) this.dialog.showModal();
    $('pw-old').focus();
    return new Promise((resolve) => { this.done = resolve; });
  }

  close(changed) {
    if (this.dialog.open) this.dialog.close();
    const done = this.done;
    this.done = null;
    if (done) done(changed);
  }

  async submit() {
    const button = $('pw-submit');
    if (button.disabled) return;
    formError($('pw-error'), null);
    if ($('pw-new').value !== $('pw-repeat').value) {
      formError($('pw-error'), 'pw.mismatch');
      return;
    }
    busy(button, true, 'pw.submit');
    try {
      await api.changePassword($('pw-old').value, $('pw-new').value);
    } catch (err) {
      busy(button, false, 'pw.submit');
      formError($('pw-error'), err);
      return;
    }
    busy(button, false, 'pw.submit');
    this.forced = false;
    this.close(true);
    if (this.onChanged) this.onChanged();
  }
}
