// strings/privacy.js - personal data and everyday fixes (issue 12): the
// server's code for a join to a cancelled event (docs/protocol.md); the
// code is looked up as 'err.<code>' like every server error.
export default {
  en: {
    'err.event-cancelled': 'This event was cancelled. Ask its organizer whether it will take place at another time.',
  },
  ru: {
    'err.event-cancelled': 'Это мероприятие отменено. Уточните у организатора, не перенесено ли оно.',
  },
};
