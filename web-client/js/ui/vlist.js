// ui/vlist.js - a virtualized list: of n rows of a fixed height only those
// in (or near) the viewport are in the DOM, so a list of 10,000 people
// costs what 30 cost.  The viewport scrolls a spacer as tall as all rows;
// the <ul> inside is moved to the first row drawn.  Rows keep
// aria-posinset / aria-setsize, so a screen reader still says "12 of
// 10,000".  Lists of at most `threshold` rows are drawn whole, as a plain
// list (the viewport gets the class `virtual` only above it, so small
// rooms look as they always did).
//
// Drawing never reads layout: the viewport's height comes from a
// ResizeObserver and its scroll position from its scroll events, and the
// row height is measured once, when a row is first seen with a height; a
// redraw while other parts of the page change would otherwise force a
// layout of the whole page each time.  When the viewport has no height
// (a closed <details>), the first `fallback` rows are drawn.

export class VirtualList {
  constructor(viewport, spacer, list, renderRow, { overscan = 8, fallback = 40, threshold = 0 } = {}) {
    Object.assign(this, { viewport, spacer, list, renderRow, overscan, fallback, threshold });
    this.rows = [];
    this.rowHeight = 0;
    this.height = 0;
    this.top = 0;
    this.drawn = '';
    viewport.addEventListener('scroll', () => {
      this.top = viewport.scrollTop;
      this.draw();
    }, { passive: true });
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver((entries) => {
        const h = entries[entries.length - 1].contentRect.height;
        if (h === this.height) return;
        this.height = h;
        if (h > 0 && !this.rowHeight) this._measure();
        this.drawn = '';
        this.draw();
      }).observe(viewport);
    }
  }

  setRows(rows) {
    this.rows = rows;
    this.drawn = '';
    this.draw();
  }

  /** Once: the height of a drawn row (a layout read, only until known). */
  _measure() {
    const probe = this.list.firstElementChild;
    const h = probe ? probe.getBoundingClientRect().height : 0;
    if (h > 0) this.rowHeight = h;
  }

  draw() {
    const n = this.rows.length;
    if (n <= this.threshold) {
      this.viewport.classList.remove('virtual');
      if (this.drawn === 'all') return;
      this.drawn = 'all';
      this.spacer.style.height = '';
      this.list.style.top = '';
      this.list.replaceChildren(...this.rows.map((r) => this.renderRow(r)));
      return;
    }
    this.viewport.classList.add('virtual');
    const rh = this.rowHeight || 40;
    let first = 0;
    let last = Math.min(n, this.fallback);
    if (this.height > 0) {
      first = Math.max(0, Math.floor(this.top / rh) - this.overscan);
      last = Math.min(n, Math.ceil((this.top + this.height) / rh) + this.overscan);
    }
    const key = `${first}:${last}:${n}`;
    if (key === this.drawn) return;
    this.drawn = key;
    this.spacer.style.height = `${n * rh}px`;
    this.list.style.top = `${first * rh}px`;
    const items = [];
    for (let i = first; i < last; i++) {
      const li = this.renderRow(this.rows[i]);
      li.setAttribute('aria-posinset', String(i + 1));
      li.setAttribute('aria-setsize', String(n));
      items.push(li);
    }
    this.list.replaceChildren(...items);
    if (!this.rowHeight && items.length && this.height > 0) {
      this._measure();
      if (this.rowHeight && this.rowHeight !== rh) { this.drawn = ''; this.draw(); }
    }
  }
}
