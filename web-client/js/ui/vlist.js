// ui/vlist.js - a virtualized list: of n rows of a fixed height only those
// in (or near) the viewport are in the DOM, so a list of 10,000 people
// costs what 30 cost.  The viewport scrolls a spacer as tall as all rows;
// the <ul> inside is moved to the first row drawn.  Rows keep
// aria-posinset / aria-setsize, so a screen reader still says "12 of
// 10,000".  When the viewport has no height yet (a closed <details>), the
// first `fallback` rows are drawn.  Lists of at most `threshold` rows are
// drawn whole, as a plain list (the viewport gets the class `virtual`
// only above it, so small rooms look as they always did).

export class VirtualList {
  constructor(viewport, spacer, list, renderRow, { overscan = 8, fallback = 40, threshold = 0 } = {}) {
    Object.assign(this, { viewport, spacer, list, renderRow, overscan, fallback, threshold });
    this.rows = [];
    this.rowHeight = 0;
    this.drawn = '';
    viewport.addEventListener('scroll', () => this.draw(), { passive: true });
  }

  setRows(rows) {
    this.rows = rows;
    this.drawn = '';
    this.draw();
  }

  _measure() {
    if (this.rowHeight) return this.rowHeight;
    const probe = this.list.firstElementChild;
    const h = probe ? probe.getBoundingClientRect().height : 0;
    if (h > 0) this.rowHeight = h;
    return this.rowHeight || 40;
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
    const rh = this._measure();
    const height = this.viewport.clientHeight;
    let first = 0;
    let last = Math.min(n, this.fallback);
    if (height > 0) {
      first = Math.max(0, Math.floor(this.viewport.scrollTop / rh) - this.overscan);
      last = Math.min(n, Math.ceil((this.viewport.scrollTop + height) / rh) + this.overscan);
    }
    const key = `${first}:${last}:${n}`;
    this.spacer.style.height = `${n * rh}px`;
    if (key === this.drawn) return;
    this.drawn = key;
    this.list.style.top = `${first * rh}px`;
    const items = [];
    for (let i = first; i < last; i++) {
      const li = this.renderRow(this.rows[i]);
      li.setAttribute('aria-posinset', String(i + 1));
      li.setAttribute('aria-setsize', String(n));
      items.push(li);
    }
    this.list.replaceChildren(...items);
    if (!this.rowHeight && items.length) {
      this._measure();
      if (this.rowHeight && this.rowHeight !== rh) { this.drawn = ''; this.draw(); }
    }
  }
}
