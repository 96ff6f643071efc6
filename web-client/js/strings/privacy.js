// strings/privacy.js - personal data and everyday fixes (issue 12): the
// server's code for a join to a cancelled event (docs/protocol.md; looked
// up as 'err.<code>' like every server error), and an organization's chat
// retention in its edit panel (ui/admin_edit.js).
export default {
  en: {
    'err.event-cancelled': 'This event was cancelled. Ask its organizer whether it will take place at another time.',
    'privacy.chat_retention': 'Keep the chat of meetings and trainings (days)',
    'privacy.chat_retention_hint': 'Older messages are deleted. Empty: the server\'s setting; 0: kept for good.',
  },
  ru: {
    'err.event-cancelled': 'Это мероприятие отменено. Уточните у организатора, не перенесено ли оно.',
    'privacy.chat_retention': 'Хранить чат заседаний и занятий (дней)',
    'privacy.chat_retention_hint': 'Более старые сообщения удаляются. Пусто — по настройке сервера; 0 — хранить всегда.',
  },
};
