// strings/recording.js - the recording indicator and its controls
// (ui/recording.js).
export default {
  en: {
    'recording.on': 'Recording',
    'recording.started': 'This session is now being recorded.',
    'recording.stopped': 'Recording has stopped.',
    'recording.joined_note': 'This session is being recorded. Your camera and microphone will be recorded when you turn them on.',
    'recording.start': 'Start recording',
    'recording.stop': 'Stop recording',
    'recording.chapter': 'Mark a chapter',
    'recording.chapter_prompt': 'Chapter title',
    'recording.disk_low': 'Disk space for recordings is running low ({mb} MB left); recording will stop before the disk is full.',
    'recording.reason.disk-full': 'Recording stopped: the disk for recordings is full.',
    'recording.reason.recorder-failed': 'Recording stopped: the recorder failed. What was recorded is kept; you may start again.',
    'err.disk-full': 'Not enough free disk space to record.',
    'err.nothing-to-record': 'Nobody sends audio or video yet: nothing to record.',
  },
  ru: {
    'recording.on': 'Идёт запись',
    'recording.started': 'Занятие записывается.',
    'recording.stopped': 'Запись остановлена.',
    'recording.joined_note': 'Занятие записывается. Ваши камера и микрофон попадут в запись, когда вы их включите.',
    'recording.start': 'Начать запись',
    'recording.stop': 'Остановить запись',
    'recording.chapter': 'Отметить главу',
    'recording.chapter_prompt': 'Название главы',
    'recording.disk_low': 'На диске для записей мало места (осталось {mb} МБ); запись остановится раньше, чем диск заполнится.',
    'recording.reason.disk-full': 'Запись остановлена: диск для записей заполнен.',
    'recording.reason.recorder-failed': 'Запись остановлена: сбой записи. Записанное сохранено; можно начать снова.',
    'err.disk-full': 'Недостаточно места на диске для записи.',
    'err.nothing-to-record': 'Никто ещё не передаёт звук или видео: записывать нечего.',
  },
};
