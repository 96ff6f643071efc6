// ui/joinform.js - the join form: room, name (remembered in localStorage),
// the kind of room to create (a meeting or a training session: used only
// when the room is new), and a moderator key taken from the link
// (…?room=R#key=K), which makes you the chair or trainer.

import { $ } from './dom.js';
import { t } from '../i18n.js';

const NAME_KEY = 'veche.name';

/** The moderator key in the address (#key=...), or null. */
export function keyFromUrl(loc = location) {
  const m = /(?:^#|&)key=([0-9a-fA-F]{32})\b/.exec(loc.hash || '');
  return m ? m[1].toLowerCase() : null;
}

export class JoinForm {
  /** onJoin({room, name, kind, moderatorKey}) is called on submit. */
  constructor(onJoin) {
    this.form = $('join-form');
    this.button = $('join');
    this.busy = false;
    const params = new URLSearchParams(location.search);
    $('room').value = params.get('room') || '';
    if (params.get('kind') === 'training') $('kind-training').checked = true;
    try {
      $('name').value = localStorage.getItem(NAME_KEY) || '';
    } catch { /* storage disabled */ }
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (this.busy) return;
      const name = $('name').value.trim();
      try {
        localStorage.setItem(NAME_KEY, name);
      } catch { /* storage disabled */ }
      onJoin({
        room: $('room').value.trim(), name,
        kind: $('kind-training').checked ? 'training' : 'meeting',
        moderatorKey: keyFromUrl(),
      });
    });
    this.render();
  }

  setBusy(busy) {
    this.busy = busy;
    this.button.disabled = busy;
    this.render();
  }

  show(visible) {
    this.form.hidden = !visible;
    if (visible) this.render();
  }

  render() {
    this.button.textContent = t(this.busy ? 'joining' : 'join');
    $('key-note').hidden = !keyFromUrl();
  }
}
