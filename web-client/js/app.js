// app.js - the page: join form, local preview, one tile per remote
// participant (name, video and audio), mic/camera toggles, leave, errors.
// All signalling and WebRTC is in protocol.js; strings are in i18n.js.

import { VecheConnection, defaultUrl } from './protocol.js';
import { LANGUAGES, apply, errorText, getLang, setLang, t } from './i18n.js';

const $ = (id) => document.getElementById(id);
const ui = {
  form: $('join-form'), room: $('room'), name: $('name'), join: $('join'),
  meeting: $('meeting'), grid: $('grid'), local: $('local-video'),
  mic: $('mic'), cam: $('cam'), leave: $('leave'),
  error: $('error'), errorText: $('error-text'), errorClose: $('error-close'),
  status: $('status'), lang: $('lang'),
};

let conn = null;            // VecheConnection while in a room
let localStream = null;     // our camera + microphone, or null
const tiles = new Map();    // participant id -> {el, video, stream, name, unmute}

// --- messages for people ---

function showError(text) {
  ui.errorText.textContent = text;
  ui.error.hidden = false;
}

function hideError() {
  ui.error.hidden = true;
}

function announce(text) {
  ui.status.textContent = text;
}

// --- remote tiles ---

function tileLabel(tile) {
  tile.video.setAttribute('aria-label', t('video_of', { name: tile.name }));
  tile.caption.textContent = tile.name;
  tile.unmute.textContent = t('enable_sound');
}

function ensureTile(id, name) {
  let tile = tiles.get(id);
  if (tile) {
    if (name && name !== tile.name) {
      tile.name = name;
      tileLabel(tile);
    }
    return tile;
  }
  const el = document.createElement('figure');
  el.className = 'tile';
  el.dataset.participant = id;
  const video = document.createElement('video');
  video.autoplay = true;
  video.playsInline = true;  // not muted: the tile plays the participant's audio
  const caption = document.createElement('figcaption');
  const unmute = document.createElement('button');
  unmute.type = 'button';
  unmute.className = 'unmute';
  unmute.hidden = true;
  el.append(video, caption, unmute);
  tile = { el, video, caption, unmute, name: name || id, stream: new MediaStream() };
  video.srcObject = tile.stream;
  unmute.addEventListener('click', () => {
    video.muted = false;
    video.play().then(() => { unmute.hidden = true; }, () => {});
  });
  tileLabel(tile);
  tiles.set(id, tile);
  ui.grid.append(el);
  return tile;
}

// Start playback; if the browser refuses sound without a gesture, play muted
// and offer a button to enable it.
function play(tile) {
  tile.video.play().catch(() => {
    tile.video.muted = true;
    tile.unmute.hidden = false;
    tile.video.play().catch(() => {});
  });
}

function removeTile(id) {
  const tile = tiles.get(id);
  if (!tile) return;
  tile.video.srcObject = null;
  tile.el.remove();
  tiles.delete(id);
}

// --- mic / camera toggles ---

function setToggle(button, kind) {
  const tracks = localStream ? localStream.getTracks().filter((x) => x.kind === kind) : [];
  const on = tracks.some((x) => x.enabled);
  const key = kind === 'audio' ? (on ? 'mic_off' : 'mic_on') : (on ? 'cam_off' : 'cam_on');
  button.textContent = t(key);
  button.setAttribute('aria-pressed', String(!on));  // pressed = muted
  button.disabled = tracks.length === 0;
}

function toggle(kind) {
  if (!localStream) return;
  const tracks = localStream.getTracks().filter((x) => x.kind === kind);
  const on = !tracks.some((x) => x.enabled);
  for (const track of tracks) track.enabled = on;  // disabled = silence / black
  refreshToggles();
}

function refreshToggles() {
  setToggle(ui.mic, 'audio');
  setToggle(ui.cam, 'video');
}

// --- joining and leaving ---

async function getMedia() {
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: true, video: { width: { ideal: 640 }, height: { ideal: 480 } },
    });
  } catch (err) {
    console.warn('[veche] getUserMedia failed', err);
    announce(t('no_media'));
    showError(t('no_media'));
    return null;
  }
}

function wire(c) {
  c.addEventListener('joined', (e) => {
    for (const p of e.detail.participants) ensureTile(p.id, p.name);
    announce(t('joined_room', { room: e.detail.room }));
  });
  c.addEventListener('participant-joined', (e) => {
    ensureTile(e.detail.id, e.detail.name);
    announce(t('someone_joined', { name: e.detail.name }));
  });
  c.addEventListener('participant-left', (e) => {
    const tile = tiles.get(e.detail.id);
    if (tile) announce(t('someone_left', { name: tile.name }));
    removeTile(e.detail.id);
  });
  c.addEventListener('track', (e) => {
    const { participant, track } = e.detail;
    if (!participant) return;
    const tile = ensureTile(participant);
    for (const old of tile.stream.getTracks().filter((x) => x.kind === track.kind)) {
      tile.stream.removeTrack(old);  // one audio and one video per tile
    }
    tile.stream.addTrack(track);
    play(tile);
  });
  c.addEventListener('track-removed', (e) => {
    const tile = tiles.get(e.detail.participant);
    if (tile && e.detail.track) tile.stream.removeTrack(e.detail.track);
  });
  c.addEventListener('error', (e) => showError(errorText(e.detail.code, e.detail.reason)));
  c.addEventListener('closed', (e) => {
    if (conn !== c) return;
    if (e.detail.reason !== 'left the room') showError(errorText('closed', e.detail.reason));
    endMeeting();
  });
}

async function join(ev) {
  ev.preventDefault();
  hideError();
  const room = ui.room.value.trim();
  const name = ui.name.value.trim();
  try {
    localStorage.setItem('veche.name', name);
  } catch { /* storage disabled */ }
  ui.join.disabled = true;
  ui.join.textContent = t('joining');
  localStream = await getMedia();
  ui.local.srcObject = localStream;
  const c = new VecheConnection(defaultUrl());
  conn = c;
  wire(c);
  ui.form.hidden = true;
  ui.meeting.hidden = false;
  refreshToggles();
  try {
    await c.join(room, name, localStream);
    history.replaceState(null, '', `?room=${encodeURIComponent(room)}`);
  } catch (err) {
    // Server errors were shown by the 'error' event; show the rest.
    if (!err.code) showError(errorText('client', err.message));
    if (conn === c) {
      c.leave();
      endMeeting();
    }
  } finally {
    ui.join.disabled = false;
    ui.join.textContent = t('join');
  }
}

// Back to the join form; stop the camera.
function endMeeting() {
  conn = null;
  for (const id of [...tiles.keys()]) removeTile(id);
  if (localStream) for (const track of localStream.getTracks()) track.stop();
  localStream = null;
  ui.local.srcObject = null;
  ui.meeting.hidden = true;
  ui.form.hidden = false;
}

async function leave() {
  const c = conn;
  if (!c) return;
  conn = null;
  await c.leave();
  endMeeting();
  announce(t('left_room'));
}

// --- for the browser tests: what each remote track receives ---

async function stats() {
  if (!conn) return [];
  const report = await conn.subscribeStats();
  const inbound = [];
  if (report) report.forEach((s) => { if (s.type === 'inbound-rtp') inbound.push(s); });
  return conn.remoteTracks().map((rt) => {
    const s = inbound.find((x) => x.mid === rt.mid) ||
              inbound.find((x) => x.trackIdentifier === rt.track.id) || {};
    const tile = tiles.get(rt.participant);
    return {
      kind: rt.kind, participant: rt.participant, trackId: rt.trackId, mid: rt.mid,
      videoWidth: rt.kind === 'video' && tile ? tile.video.videoWidth : 0,
      framesDecoded: s.framesDecoded || 0,
      packetsReceived: s.packetsReceived || 0,
    };
  });
}

window.veche = {
  get conn() { return conn; },
  stats,
};

// --- start ---

function relabel() {
  apply();
  refreshToggles();
  for (const tile of tiles.values()) tileLabel(tile);
  if (!ui.join.disabled) ui.join.textContent = t('join');
}

function init() {
  for (const [code, label] of Object.entries(LANGUAGES)) {
    ui.lang.append(new Option(label, code, false, code === getLang()));
  }
  ui.lang.addEventListener('change', () => setLang(ui.lang.value));
  document.addEventListener('veche-lang', relabel);
  const params = new URLSearchParams(location.search);
  ui.room.value = params.get('room') || '';
  try {
    ui.name.value = localStorage.getItem('veche.name') || '';
  } catch { /* storage disabled */ }
  ui.form.addEventListener('submit', join);
  ui.leave.addEventListener('click', leave);
  ui.mic.addEventListener('click', () => toggle('audio'));
  ui.cam.addEventListener('click', () => toggle('video'));
  ui.errorClose.addEventListener('click', hideError);
  window.addEventListener('pagehide', () => { if (conn) conn.leave(); });
  relabel();
}

init();
