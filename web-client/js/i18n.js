// i18n.js - Russian and English strings and the language switch.
//
// The language comes from localStorage ('veche.lang'), else from
// navigator.language, else English.  apply() fills every element marked
//   data-i18n="key"              -> textContent
//   data-i18n-aria="key"         -> aria-label
//   data-i18n-placeholder="key"  -> placeholder

const STRINGS = {
  en: {
    title: 'Veche',
    tagline: 'Video meetings',
    language: 'Language',
    room: 'Room',
    name: 'Your name',
    join: 'Join',
    joining: 'Joining…',
    leave: 'Leave',
    you: 'You',
    mic_off: 'Turn microphone off',
    mic_on: 'Turn microphone on',
    cam_off: 'Turn camera off',
    cam_on: 'Turn camera on',
    enable_sound: 'Enable sound',
    dismiss: 'Dismiss',
    participants: 'Participants',
    local_video: 'Your camera',
    video_of: 'Video of {name}',
    joined_room: 'You joined room {room}',
    someone_joined: '{name} joined',
    someone_left: '{name} left',
    left_room: 'You left the room',
    no_media: 'Camera and microphone are unavailable; you can still watch and listen.',
    'err.bad-json': 'The server did not understand the request.',
    'err.bad-request': 'Invalid request',
    'err.unknown-type': 'The server does not support this request.',
    'err.too-large': 'The message was too large.',
    'err.not-joined': 'You are not in a room.',
    'err.already-joined': 'You are already in a room.',
    'err.room-full': 'The room is full.',
    'err.bad-sdp': 'Media negotiation failed.',
    'err.unsupported': 'Your browser offers no codec the server supports.',
    'err.bad-state': 'The request came at the wrong moment.',
    'err.internal': 'Server error.',
    'err.media-failed': 'The media connection failed.',
    'err.client': 'Error in the page.',
    'err.closed': 'The connection to the server was lost.',
    'err.forbidden': 'Not allowed.',
    'err.room-locked': 'The room is locked.',
    'err.no-such-participant': 'That participant is not in the room.',
    'err.removed': 'A moderator removed you from the room.',
    'err.unknown': 'Error.',
  },
  ru: {
    title: 'Вече',
    tagline: 'Видеовстречи',
    language: 'Язык',
    room: 'Комната',
    name: 'Ваше имя',
    join: 'Войти',
    joining: 'Вход…',
    leave: 'Выйти',
    you: 'Вы',
    mic_off: 'Выключить микрофон',
    mic_on: 'Включить микрофон',
    cam_off: 'Выключить камеру',
    cam_on: 'Включить камеру',
    enable_sound: 'Включить звук',
    dismiss: 'Закрыть',
    participants: 'Участники',
    local_video: 'Ваша камера',
    video_of: 'Видео: {name}',
    joined_room: 'Вы вошли в комнату {room}',
    someone_joined: '{name} входит',
    someone_left: '{name} выходит',
    left_room: 'Вы вышли из комнаты',
    no_media: 'Камера и микрофон недоступны; вы можете смотреть и слушать.',
    'err.bad-json': 'Сервер не понял запрос.',
    'err.bad-request': 'Неверный запрос',
    'err.unknown-type': 'Сервер не поддерживает этот запрос.',
    'err.too-large': 'Слишком большое сообщение.',
    'err.not-joined': 'Вы не в комнате.',
    'err.already-joined': 'Вы уже в комнате.',
    'err.room-full': 'Комната заполнена.',
    'err.bad-sdp': 'Не удалось согласовать медиа.',
    'err.unsupported': 'Браузер не предлагает кодеков, которые поддерживает сервер.',
    'err.bad-state': 'Запрос пришёл не вовремя.',
    'err.internal': 'Ошибка сервера.',
    'err.media-failed': 'Медиасоединение прервалось.',
    'err.client': 'Ошибка на странице.',
    'err.closed': 'Связь с сервером потеряна.',
    'err.forbidden': 'Нет прав.',
    'err.room-locked': 'Комната закрыта.',
    'err.no-such-participant': 'Такого участника нет в комнате.',
    'err.removed': 'Модератор удалил вас из комнаты.',
    'err.unknown': 'Ошибка.',
  },
};

export const LANGUAGES = { en: 'English', ru: 'Русский' };
const KEY = 'veche.lang';

function initialLang() {
  let saved = null;
  try {
    saved = localStorage.getItem(KEY);
  } catch { /* storage disabled */ }
  if (saved && STRINGS[saved]) return saved;
  const nav = (navigator.language || 'en').slice(0, 2).toLowerCase();
  return STRINGS[nav] ? nav : 'en';
}

let lang = initialLang();

export function getLang() {
  return lang;
}

// Translate key, filling {placeholders} from params; unknown keys show as is.
export function t(key, params = {}) {
  const s = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (params[k] ?? ''));
}

// A server error as text for people: our translation of the code, then the
// server's own (English) reason when it adds something.
export function errorText(code, reason) {
  const known = STRINGS.en[`err.${code}`] !== undefined;
  const base = t(known ? `err.${code}` : 'err.unknown');
  return reason ? `${base} (${reason})` : base;
}

// Fill the marked elements under root with the current language.
export function apply(root = document) {
  document.documentElement.lang = lang;
  document.title = t('title');
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-aria]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nAria));
  }
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
}

// Switch language, remember it, re-apply.
export function setLang(next) {
  if (!STRINGS[next]) return;
  lang = next;
  try {
    localStorage.setItem(KEY, next);
  } catch { /* storage disabled */ }
  apply();
  document.dispatchEvent(new CustomEvent('veche-lang', { detail: next }));
}
