// media.js - our own camera, microphone, speaker choice and screen share.
// No DOM and no signalling here: app.js hands the tracks to the connection.
//
// getUserMedia failures become an i18n key (media.denied, media.missing,
// media.busy, ...) so the page can say what is wrong; if asking for both
// devices fails, each is tried alone, so a missing camera still leaves the
// microphone working.  Chosen devices are remembered in localStorage.

const PREFS_KEY = 'veche.devices';
const VIDEO = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 20 } };

/** The i18n key that explains a getUserMedia / getDisplayMedia error. */
export function mediaErrorKey(err) {
  switch (err && err.name) {
    case 'NotAllowedError': case 'SecurityError': case 'PermissionDeniedError':
      return 'media.denied';
    case 'NotFoundError': case 'OverconstrainedError': case 'DevicesNotFoundError':
      return 'media.missing';
    case 'NotReadableError': case 'AbortError': case 'TrackStartError':
      return 'media.busy';
    case 'TypeError':
      return window.isSecureContext ? 'media.failed' : 'media.insecure';
    default:
      return 'media.failed';
  }
}

function loadPrefs() {
  try {
    return JSON.parse(localStorage.getItem(PREFS_KEY)) || {};
  } catch {
    return {};
  }
}

export class LocalMedia {
  constructor() {
    this.mic = null;        // MediaStreamTrack or null
    this.camera = null;
    this.screen = null;
    this.micOn = true;      // wanted state (track.enabled follows it)
    this.camOn = true;
    this.prefs = loadPrefs();   // {audioinput, videoinput, audiooutput}: device ids
    this.preview = new MediaStream();  // camera only, for the self view
  }

  _savePrefs() {
    try {
      localStorage.setItem(PREFS_KEY, JSON.stringify(this.prefs));
    } catch { /* storage disabled */ }
  }

  _constraints(kind) {
    const id = this.prefs[kind === 'audio' ? 'audioinput' : 'videoinput'];
    const base = kind === 'audio' ? { echoCancellation: true, noiseSuppression: true } : { ...VIDEO };
    return id ? { ...base, deviceId: { ideal: id } } : base;
  }

  _setTrack(kind, track) {
    const field = kind === 'audio' ? 'mic' : 'camera';
    const old = this[field];
    if (old && old !== track) {
      old.stop();
      if (kind === 'video') this.preview.removeTrack(old);
    }
    this[field] = track;
    if (track) {
      track.enabled = kind === 'audio' ? this.micOn : this.camOn;
      if (kind === 'video') this.preview.addTrack(track);
    }
  }

  /** Get the microphone and/or camera.  Resolves with the i18n key of the
   *  first problem, or null when all asked for were found. */
  async start({ audio = true, video = true } = {}) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return window.isSecureContext ? 'media.unsupported' : 'media.insecure';
    }
    const want = { audio: audio && !this.mic, video: video && !this.camera };
    if (!want.audio && !want.video) return null;
    try {
      const s = await navigator.mediaDevices.getUserMedia({
        audio: want.audio && this._constraints('audio'), video: want.video && this._constraints('video'),
      });
      for (const t of s.getTracks()) this._setTrack(t.kind, t);
      return null;
    } catch (err) {
      console.warn('[veche] getUserMedia failed', err);
      if (!(want.audio && want.video) || mediaErrorKey(err) === 'media.denied') return mediaErrorKey(err);
      // One device may be missing or busy: try each alone.
      let problem = null;
      for (const kind of ['audio', 'video']) {
        try {
          const s = await navigator.mediaDevices.getUserMedia({ [kind]: this._constraints(kind) });
          this._setTrack(kind, s.getTracks()[0]);
        } catch (err2) {
          problem = problem || `${mediaErrorKey(err2)}.${kind}`;
        }
      }
      return problem;
    }
  }

  /** The devices to choose from: {audioinput: [...], videoinput: [...], audiooutput: [...]}. */
  async devices() {
    const out = { audioinput: [], videoinput: [], audiooutput: [] };
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return out;
    for (const d of await navigator.mediaDevices.enumerateDevices()) {
      if (out[d.kind] && d.deviceId) out[d.kind].push(d);
    }
    return out;
  }

  /** The device id in use (or chosen) for a kind of device. */
  current(kind) {
    const track = kind === 'audioinput' ? this.mic : kind === 'videoinput' ? this.camera : null;
    const id = track && track.getSettings ? track.getSettings().deviceId : null;
    return id || this.prefs[kind] || 'default';
  }

  /** Switch to another camera or microphone; resolves with the new track
   *  (null if we have none of that kind yet: only the choice is kept). */
  async choose(kind, deviceId) {
    this.prefs[kind] = deviceId;
    this._savePrefs();
    if (kind === 'audiooutput') return null;
    const media = kind === 'audioinput' ? 'audio' : 'video';
    if (!(media === 'audio' ? this.mic : this.camera)) return null;
    const s = await navigator.mediaDevices.getUserMedia({
      [media]: { ...this._constraints(media), deviceId: { exact: deviceId } },
    });
    const track = s.getTracks()[0];
    this._setTrack(media, track);
    return track;
  }

  setMic(on) {
    this.micOn = on;
    if (this.mic) this.mic.enabled = on;
  }

  setCamera(on) {
    this.camOn = on;
    if (this.camera) this.camera.enabled = on;
  }

  /** Ask for a screen (or window) to share; resolves with the track.
   *  `onEnded` runs when the browser's own "stop sharing" is used. */
  async startScreen(onEnded) {
    const s = await navigator.mediaDevices.getDisplayMedia({
      video: { frameRate: { ideal: 10, max: 15 } }, audio: false,
    });
    this.screen = s.getVideoTracks()[0];
    this.screen.contentHint = 'detail';
    this.screen.addEventListener('ended', () => { if (this.screen) onEnded(); });
    return this.screen;
  }

  stopScreen() {
    const t = this.screen;
    this.screen = null;
    if (t) t.stop();
  }

  /** Stop the camera and microphone (and the screen share). */
  stop() {
    this._setTrack('audio', null);
    this._setTrack('video', null);
    this.stopScreen();
  }

  /** Tracks to publish: [{track, source}] for what we have. */
  tracks() {
    const out = [];
    if (this.mic) out.push({ track: this.mic, source: 'microphone' });
    if (this.camera) out.push({ track: this.camera, source: 'camera' });
    return out;
  }
}

/** Can this browser choose the speaker (HTMLMediaElement.setSinkId)? */
export const canChooseSpeaker = typeof HTMLMediaElement !== 'undefined' &&
  'setSinkId' in HTMLMediaElement.prototype;
