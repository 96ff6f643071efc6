// strings/bigroom.js - the attendance panel at any roster size: counts
// first, the list of who is present or the whole roster (virtualized,
// searchable), rate limits and full rooms.
export const BIGROOM_STRINGS = {
  en: {
    'bigroom.counts': '{present} present of {total}',
    'bigroom.counts_aria': 'Attendance: {present} present of {total} on the list',
    'bigroom.search': 'Search by name',
    'bigroom.view': 'Show',
    'bigroom.view_present': 'Present',
    'bigroom.view_all': 'Everyone on the list',
    'bigroom.loading': 'Loading the list: {loaded} of {total}…',
    'bigroom.matches': '{n} shown',
    'bigroom.none': 'Nobody matches.',
    'bigroom.list_aria': 'People, {n} in the list; scroll for more',
    'bigroom.rate_limited': 'Slow down: too many messages at once. Try again in a moment.',
    // the server's error code (docs/protocol.md), as errorText looks it up
    'err.rate-limited': 'Too many requests at once.',
  },
  ru: {
    'bigroom.counts': 'присутствуют {present} из {total}',
    'bigroom.counts_aria': 'Явка: присутствуют {present} из {total} по списку',
    'bigroom.search': 'Поиск по имени',
    'bigroom.view': 'Показать',
    'bigroom.view_present': 'Присутствующих',
    'bigroom.view_all': 'Весь список',
    'bigroom.loading': 'Загружаем список: {loaded} из {total}…',
    'bigroom.matches': 'показано: {n}',
    'bigroom.none': 'Никого не найдено.',
    'bigroom.list_aria': 'Люди, в списке {n}; прокрутите, чтобы увидеть остальных',
    'bigroom.rate_limited': 'Помедленнее: слишком много сообщений подряд. Попробуйте через минуту.',
    'err.rate-limited': 'Слишком много запросов подряд.',
  },
};
