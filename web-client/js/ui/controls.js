// ui/controls.js - the control bar: microphone, camera, screen share, hand,
// participants, chat, devices, leave.  Each button is an icon with a short
// label (labels hide on narrow screens; aria-label always says what a
// click does).  app.js decides what the buttons do; render() shows state.

import { $, icon } from './dom.js';
import { t } from '../i18n.js';

const BUTTONS = {
  mic: 'mic', cam: 'cam', screen: 'screen', hand: 'hand', 'people-toggle': 'people',
  'chat-toggle': 'chat', 'settings-open': 'gear', leave: 'leave',
};

export class Controls {
  /** handlers: {mic, cam, screen, hand, people, chat, settings, leave} */
  constructor(handlers) {
    for (const [id, iconName] of Object.entries(BUTTONS)) {
      const b = $(id);
      const label = b.querySelector('.label') || document.createElement('span');
      label.className = 'label';
      b.replaceChildren(icon(iconName), label, ...[...b.querySelectorAll('.count')]);
    }
    $('mic').addEventListener('click', handlers.mic);
    $('cam').addEventListener('click', handlers.cam);
    $('screen').addEventListener('click', handlers.screen);
    $('hand').addEventListener('click', handlers.hand);
    $('people-toggle').addEventListener('click', handlers.people);
    $('chat-toggle').addEventListener('click', handlers.chat);
    $('settings-open').addEventListener('click', handlers.settings);
    $('leave').addEventListener('click', handlers.leave);
  }

  _set(id, { label, aria, iconName, off = false, pressed = null, hidden = false }) {
    const b = $(id);
    b.hidden = hidden;
    b.querySelector('.label').textContent = label;
    // The accessible name holds the visible label (WCAG 2.5.3, for speech
    // input): "Камера" is not in "Выключить камеру", so it goes in front.
    const name = !aria ? label
      : aria.toLowerCase().includes(label.toLowerCase()) ? aria : `${label}: ${aria}`;
    b.setAttribute('aria-label', name);
    b.title = aria || label;
    b.classList.toggle('off', off);
    if (pressed == null) b.removeAttribute('aria-pressed');
    else b.setAttribute('aria-pressed', String(pressed));
    if (iconName) b.querySelector('svg').replaceWith(icon(iconName));
  }

  /** s: {micOn, camOn, sharing, hand, showHand, speakers, peopleOpen, chatOpen, hands} */
  render(s) {
    this._set('mic', {
      label: t('mic'), aria: t(s.micOn ? 'mic_off' : 'mic_on'),
      iconName: s.micOn ? 'mic' : 'micOff', off: !s.micOn,
    });
    this._set('cam', {
      label: t('camera'), aria: t(s.camOn ? 'cam_off' : 'cam_on'),
      iconName: s.camOn ? 'cam' : 'camOff', off: !s.camOn,
    });
    this._set('screen', {
      label: t(s.sharing ? 'stop_share' : 'share'), pressed: s.sharing, hidden: !s.canShare,
    });
    // In a meeting the hand asks for the floor (the speakers list).
    const handLabel = s.speakers ? (s.hand ? 'agenda.withdraw' : 'agenda.ask')
      : (s.hand ? 'lower_my_hand' : 'raise_hand');
    this._set('hand', { label: t(handLabel), pressed: s.hand, hidden: !s.showHand });
    const waitAria = s.speakers ? 'agenda.people_aria' : 'people_hands_aria';
    this._set('people-toggle', {
      label: t('participants'), pressed: s.peopleOpen,
      aria: s.hands ? t(waitAria, { n: s.hands }) : null,
    });
    this._set('chat-toggle', { label: t('chat'), pressed: s.chatOpen });
    this._set('settings-open', { label: t('devices') });
    this._set('leave', { label: t('leave') });
  }
}
