// ui/banners.js - what the page tells people outside the video: the error
// banner (red, stays until dismissed), the notice banner (blue, e.g. "you
// have the floor"; goes away by itself), the "reconnecting…" banner, and
// announcements for screen readers.

import { $ } from './dom.js';

let noticeTimer = null;

export function showError(text) {
  $('error-text').textContent = text;
  $('error').hidden = false;
}

export function hideError() {
  $('error').hidden = true;
}

/** A passing message; stays `ms` milliseconds (0: until replaced). */
export function showNotice(text, ms = 8000) {
  $('notice-text').textContent = text;
  $('notice').hidden = false;
  clearTimeout(noticeTimer);
  if (ms) noticeTimer = setTimeout(hideNotice, ms);
  announce(text);
}

export function hideNotice() {
  $('notice').hidden = true;
}

/** Show (text) or hide (null) the reconnecting banner. */
export function setReconnecting(text) {
  $('reconnecting').hidden = !text;
  if (text) $('reconnecting-text').textContent = text;
}

/** Say something to screen readers. */
export function announce(text) {
  $('status').textContent = text;
}

export function initBanners() {
  $('error-close').addEventListener('click', hideError);
  $('notice-close').addEventListener('click', hideNotice);
}
