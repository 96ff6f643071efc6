// ui/devices.js - the settings dialog: which camera, microphone and speaker
// to use.  A new camera or microphone replaces the track on the publish
// connection (no renegotiation); the speaker is set on every remote tile
// with setSinkId where the browser supports it.

import { $, h } from './dom.js';
import { showError } from './banners.js';
import { canChooseSpeaker, mediaErrorKey } from '../media.js';
import { t } from '../i18n.js';

export class DevicesDialog {
  /** media: LocalMedia; onTrack(source, track): a device was switched;
   *  onSpeaker(deviceId): the speaker was chosen */
  constructor(media, { onTrack, onSpeaker }) {
    this.media = media;
    this.dialog = $('settings');
    this.onTrack = onTrack;
    this.onSpeaker = onSpeaker;
    $('settings-close').addEventListener('click', () => this.dialog.close());
    for (const [id, kind] of [['camera-select', 'videoinput'], ['mic-select', 'audioinput'],
      ['speaker-select', 'audiooutput']]) {
      $(id).addEventListener('change', (e) => this._choose(kind, e.target.value));
    }
    if (navigator.mediaDevices && navigator.mediaDevices.addEventListener) {
      navigator.mediaDevices.addEventListener('devicechange', () => {
        if (this.dialog.open) this.fill();
      });
    }
  }

  async open() {
    await this.fill();
    if (this.dialog.showModal) this.dialog.showModal();
    else this.dialog.setAttribute('open', '');
  }

  /** Fill the three lists with the devices there are now. */
  async fill() {
    const devices = await this.media.devices();
    const fillOne = (id, kind, fallbackKey) => {
      const select = $(id);
      const list = devices[kind];
      const current = this.media.current(kind);
      select.replaceChildren(...list.map((d, i) => h('option', {
        value: d.deviceId, selected: d.deviceId === current,
      }, d.label || t(fallbackKey, { n: i + 1 }))));
      if (!list.length) select.append(h('option', { value: '' }, t('no_device')));
      select.disabled = list.length < 2;
    };
    fillOne('camera-select', 'videoinput', 'camera_n');
    fillOne('mic-select', 'audioinput', 'mic_n');
    fillOne('speaker-select', 'audiooutput', 'speaker_n');
    $('speaker-row').hidden = !canChooseSpeaker;
  }

  async _choose(kind, deviceId) {
    if (!deviceId) return;
    if (kind === 'audiooutput') {
      await this.media.choose(kind, deviceId);
      this.onSpeaker(deviceId);
      return;
    }
    try {
      const track = await this.media.choose(kind, deviceId);
      if (track) await this.onTrack(kind === 'audioinput' ? 'microphone' : 'camera', track);
    } catch (err) {
      showError(t(mediaErrorKey(err)));
    }
  }
}
