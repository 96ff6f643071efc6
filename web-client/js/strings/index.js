// strings/index.js - the string tables of single features, one file per
// feature in this folder (each exports { en: {...}, ru: {...} }), listed
// here; i18n.js merges them into STRINGS.  A feature's keys start with its
// name ('vote.', 'agenda.', ...) so that two features never share a key.
import recording from './recording.js';
import lessons from './lessons.js';
import vote from './vote.js';
import admin from './admin.js';
import { BIGROOM_STRINGS } from './bigroom.js';
import agenda from './agenda.js';
import privacy from './privacy.js';

export const FEATURE_STRINGS = [
  recording,
  vote,
  lessons,
  admin,
  BIGROOM_STRINGS,
  agenda,
  privacy,
];
