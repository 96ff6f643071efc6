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
    room_hint: 'Latin letters, digits and . _ - (for example board-2025)',
    name: 'Your name',
    kind_legend: 'If the room is new, it will be',
    'kind.meeting': 'A meeting',
    'kind.meeting_hint': 'Everyone can speak and show; the chair moderates.',
    'kind.training': 'A training session',
    'kind.training_hint': 'The trainer speaks and shows; activists raise a hand to speak.',
    key_note: 'This link makes you a moderator of the room.',
    join: 'Join',
    joining: 'Joining…',
    leave: 'Leave',
    you: 'You',
    you_are: 'You: {role}',
    room_view: 'Room',
    locked: 'Locked',
    'role.chair': 'chair',
    'role.trainer': 'trainer',
    'role.member': 'member',
    'role.activist': 'activist',
    'role.guest': 'guest',
    mic: 'Microphone',
    camera: 'Camera',
    speaker: 'Speaker',
    mic_off: 'Turn microphone off',
    mic_on: 'Turn microphone on',
    cam_off: 'Turn camera off',
    cam_on: 'Turn camera on',
    share: 'Share screen',
    stop_share: 'Stop sharing',
    sharing: 'You are sharing your screen.',
    raise_hand: 'Raise hand',
    lower_my_hand: 'Lower hand',
    devices: 'Devices',
    devices_title: 'Camera, microphone and speaker',
    done: 'Done',
    no_device: 'None found',
    camera_n: 'Camera {n}',
    mic_n: 'Microphone {n}',
    speaker_n: 'Speaker {n}',
    controls: 'Controls',
    close: 'Close',
    enable_sound: 'Enable sound',
    dismiss: 'Dismiss',
    participants: 'Participants',
    local_video: 'Your camera',
    video_of: 'Video of {name}',
    screen_of: 'Screen of {name}',
    your_screen: 'Your screen (others see it)',
    chat: 'Chat',
    chat_empty: 'No messages yet.',
    chat_placeholder: 'Message to everyone',
    send: 'Send',
    hands_queue: 'Raised hands',
    mute: 'Mute',
    mute_aria: 'Turn off the microphone of {name}',
    mute_all: 'Mute everyone',
    give_floor: 'Give the floor',
    give_floor_aria: 'Give the floor to {name}',
    take_floor: 'Take the floor back',
    take_floor_aria: 'Take the floor back from {name}',
    lower_hand: 'Lower hand',
    lower_hand_aria: 'Lower the hand of {name}',
    remove: 'Remove',
    remove_aria: 'Remove {name} from the room',
    confirm_remove: 'Remove {name} from the room?',
    lock_room: 'Lock the room',
    unlock_room: 'Unlock the room',
    locked_note: 'The room is locked: nobody new can join.',
    room_locked: 'The room is locked.',
    room_unlocked: 'The room is unlocked.',
    copy_invite: 'Copy invitation link',
    copy_mod_invite: 'Copy moderator link',
    invite_link: 'Invitation link',
    copied: 'Copied',
    copy_failed: 'Copy the link below',
    is_muted: 'Microphone off',
    hand_raised: 'Hand raised',
    has_floor: 'Has the floor',
    'quality.good': 'Connection: good',
    'quality.fair': 'Connection: fair',
    'quality.poor': 'Connection: poor',
    'quality.unknown': 'Connection: not measured yet',
    'hint.activist': 'You watch and listen. To speak, raise your hand: when the trainer gives you the floor, your camera and microphone turn on by themselves.',
    'hint.floor': 'You have the floor: your camera and microphone are on.',
    floor_given: 'The trainer gave you the floor: your camera and microphone are turning on.',
    floor_taken: 'The trainer took the floor back: your camera and microphone are off.',
    muted_by: '{name} turned your microphone off. Press the microphone button to speak again.',
    reconnecting: 'Connection lost. Reconnecting… (next try in {seconds} s)',
    reconnected: 'Connected again.',
    removed: 'You were removed from the room. Reason: {reason}',
    joined_room: 'You joined room {room}',
    someone_joined: '{name} joined',
    someone_left: '{name} left',
    left_room: 'You left the room',
    'media.watch_anyway': 'You can still watch, listen and write in the chat.',
    'media.denied': 'The browser is not allowed to use your camera and microphone. Allow it in the site settings (the icon next to the address) and press the microphone button.',
    'media.denied.audio': 'The browser is not allowed to use your microphone.',
    'media.denied.video': 'The browser is not allowed to use your camera.',
    'media.missing': 'No camera or microphone was found.',
    'media.missing.audio': 'No microphone was found.',
    'media.missing.video': 'No camera was found; others will hear you.',
    'media.busy': 'The camera or microphone is in use by another program, or does not work. Close the other program and try again.',
    'media.busy.audio': 'The microphone is in use by another program, or does not work.',
    'media.busy.video': 'The camera is in use by another program, or does not work.',
    'media.failed': 'The camera or microphone could not be started.',
    'media.failed.audio': 'The microphone could not be started.',
    'media.failed.video': 'The camera could not be started.',
    'media.insecure': 'Camera and microphone need a secure (https) connection.',
    'media.unsupported': 'This browser cannot use a camera or microphone here.',
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
    'err.lost': 'The connection to the server was lost.',
    'err.forbidden': 'Only the chair or trainer may do this.',
    'err.forbidden_publish': 'In a training session only the trainer and those given the floor speak. Raise your hand and wait for the trainer to give you the floor.',
    'err.room-locked': 'The room is locked: nobody new can join now. Ask the chair or trainer to unlock it.',
    'err.no-such-participant': 'That participant is no longer in the room.',
    'err.removed': 'A moderator removed you from the room.',
    'err.unknown': 'Error.',
  },
  ru: {
    title: 'Вече',
    tagline: 'Видеовстречи',
    language: 'Язык',
    room: 'Комната',
    room_hint: 'Латинские буквы, цифры и . _ - (например, board-2025)',
    name: 'Ваше имя',
    kind_legend: 'Если комнаты ещё нет, это будет',
    'kind.meeting': 'Заседание',
    'kind.meeting_hint': 'Говорить и показывать могут все; ведёт председатель.',
    'kind.training': 'Обучение',
    'kind.training_hint': 'Говорит и показывает тренер; активисты поднимают руку, чтобы сказать.',
    key_note: 'По этой ссылке вы входите как ведущий комнаты.',
    join: 'Войти',
    joining: 'Вход…',
    leave: 'Выйти',
    you: 'Вы',
    you_are: 'Вы: {role}',
    room_view: 'Комната',
    locked: 'Закрыта',
    'role.chair': 'председатель',
    'role.trainer': 'тренер',
    'role.member': 'участник',
    'role.activist': 'активист',
    'role.guest': 'гость',
    mic: 'Микрофон',
    camera: 'Камера',
    speaker: 'Динамик',
    mic_off: 'Выключить микрофон',
    mic_on: 'Включить микрофон',
    cam_off: 'Выключить камеру',
    cam_on: 'Включить камеру',
    share: 'Показать экран',
    stop_share: 'Остановить показ',
    sharing: 'Вы показываете свой экран.',
    raise_hand: 'Поднять руку',
    lower_my_hand: 'Опустить руку',
    devices: 'Устройства',
    devices_title: 'Камера, микрофон и динамик',
    done: 'Готово',
    no_device: 'Не найдено',
    camera_n: 'Камера {n}',
    mic_n: 'Микрофон {n}',
    speaker_n: 'Динамик {n}',
    controls: 'Управление',
    close: 'Закрыть',
    enable_sound: 'Включить звук',
    dismiss: 'Закрыть',
    participants: 'Участники',
    local_video: 'Ваша камера',
    video_of: 'Видео: {name}',
    screen_of: 'Экран: {name}',
    your_screen: 'Ваш экран (его видят все)',
    chat: 'Чат',
    chat_empty: 'Сообщений пока нет.',
    chat_placeholder: 'Сообщение для всех',
    send: 'Отправить',
    hands_queue: 'Поднятые руки',
    mute: 'Выключить звук',
    mute_aria: 'Выключить микрофон: {name}',
    mute_all: 'Выключить всем',
    give_floor: 'Дать слово',
    give_floor_aria: 'Дать слово: {name}',
    take_floor: 'Забрать слово',
    take_floor_aria: 'Забрать слово: {name}',
    lower_hand: 'Опустить руку',
    lower_hand_aria: 'Опустить руку: {name}',
    remove: 'Удалить',
    remove_aria: 'Удалить из комнаты: {name}',
    confirm_remove: 'Удалить из комнаты: {name}?',
    lock_room: 'Закрыть комнату',
    unlock_room: 'Открыть комнату',
    locked_note: 'Комната закрыта: новые участники не могут войти.',
    room_locked: 'Комната закрыта.',
    room_unlocked: 'Комната открыта.',
    copy_invite: 'Скопировать приглашение',
    copy_mod_invite: 'Ссылка для ведущего',
    invite_link: 'Ссылка-приглашение',
    copied: 'Скопировано',
    copy_failed: 'Скопируйте ссылку ниже',
    is_muted: 'Микрофон выключен',
    hand_raised: 'Рука поднята',
    has_floor: 'Есть слово',
    'quality.good': 'Связь: хорошая',
    'quality.fair': 'Связь: средняя',
    'quality.poor': 'Связь: плохая',
    'quality.unknown': 'Связь: ещё не измерена',
    'hint.activist': 'Вы смотрите и слушаете. Чтобы сказать, поднимите руку: когда тренер даст вам слово, камера и микрофон включатся сами.',
    'hint.floor': 'У вас слово: камера и микрофон включены.',
    floor_given: 'Тренер дал вам слово: включаем камеру и микрофон.',
    floor_taken: 'Тренер забрал слово: камера и микрофон выключены.',
    muted_by: '{name} выключает ваш микрофон. Чтобы снова говорить, нажмите кнопку микрофона.',
    reconnecting: 'Связь прервалась. Переподключаемся… (следующая попытка через {seconds} с)',
    reconnected: 'Связь восстановлена.',
    removed: 'Вас удалили из комнаты. Причина: {reason}',
    joined_room: 'Вы вошли в комнату {room}',
    someone_joined: '{name} входит',
    someone_left: '{name} выходит',
    left_room: 'Вы вышли из комнаты',
    'media.watch_anyway': 'Вы всё равно можете смотреть, слушать и писать в чат.',
    'media.denied': 'Браузеру запрещено использовать камеру и микрофон. Разрешите это в настройках сайта (значок рядом с адресом) и нажмите кнопку микрофона.',
    'media.denied.audio': 'Браузеру запрещено использовать микрофон.',
    'media.denied.video': 'Браузеру запрещено использовать камеру.',
    'media.missing': 'Камера и микрофон не найдены.',
    'media.missing.audio': 'Микрофон не найден.',
    'media.missing.video': 'Камера не найдена; вас будут слышать.',
    'media.busy': 'Камера или микрофон заняты другой программой или не работают. Закройте другую программу и попробуйте снова.',
    'media.busy.audio': 'Микрофон занят другой программой или не работает.',
    'media.busy.video': 'Камера занята другой программой или не работает.',
    'media.failed': 'Не удалось включить камеру или микрофон.',
    'media.failed.audio': 'Не удалось включить микрофон.',
    'media.failed.video': 'Не удалось включить камеру.',
    'media.insecure': 'Камере и микрофону нужно защищённое (https) соединение.',
    'media.unsupported': 'Этот браузер не может здесь использовать камеру и микрофон.',
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
    'err.lost': 'Связь с сервером потеряна.',
    'err.forbidden': 'Это может только председатель или тренер.',
    'err.forbidden_publish': 'На обучении говорят только тренер и те, кому он дал слово. Поднимите руку и дождитесь, когда тренер даст вам слово.',
    'err.room-locked': 'Комната закрыта: сейчас войти нельзя. Попросите председателя или тренера открыть её.',
    'err.no-such-participant': 'Этого участника уже нет в комнате.',
    'err.removed': 'Ведущий удалил вас из комнаты.',
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
  let s = STRINGS[lang][key] ?? STRINGS.en[key];
  // 'media.busy.video' falls back to 'media.busy', and so on.
  for (let k = key; s === undefined && k.includes('.'); ) {
    k = k.slice(0, k.lastIndexOf('.'));
    s = STRINGS[lang][k] ?? STRINGS.en[k];
  }
  s = s ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (params[k] ?? ''));
}

// A server error as text for people: our translation of the code, then the
// server's own (English) reason when it adds something.
// Codes whose translation says it all: the server's reason is left out.
const SELF_EXPLANATORY = new Set(['room-locked', 'room-full', 'no-such-participant', 'removed',
  'closed', 'lost']);

export function errorText(code, reason) {
  const known = STRINGS.en[`err.${code}`] !== undefined;
  const base = t(known ? `err.${code}` : 'err.unknown');
  return reason && !SELF_EXPLANATORY.has(code) ? `${base} (${reason})` : base;
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
