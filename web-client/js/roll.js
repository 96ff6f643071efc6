// roll.js - the live roll of an event as the attendance messages of
// protocol v2 build it (docs/protocol.md, "Attendance"): one `attendance`
// snapshot (counts and the people present), then `attendance-delta`
// messages (who came, who left, the new counts and quorum); the roster
// itself is read in pages over HTTP (GET /api/events/ID/roll) only when
// someone asks to see everyone.  No DOM: ui/attendance.js draws it.
//
// Costs: a delta costs O(changes) plus, when the whole roster is shown,
// O(changes) again to mark its rows; filtering is O(rows) and runs only
// when the view is drawn.

export class Roll {
  constructor(event) {
    this.event = event;
    this.present = new Map();     // person -> row {person, name, role, voting, onRoster, present}
    this.counts = null;           // {present, total}
    this.seq = -1;
    this.roster = null;           // rows in roster order once loaded (HTTP), else null
    this.rosterIndex = null;      // person -> row of roster
    this.version = 0;             // bumped on every change, for views to cache on
  }

  /** Apply one message; false when it is not for this roll or out of order. */
  apply(msg) {
    if (!msg || msg.event !== this.event) return false;
    if (msg.type === 'attendance') {
      this.present = new Map((msg.people || []).map((r) => [r.person, r]));
      this.seq = msg.seq;
    } else if (msg.type === 'attendance-delta') {
      if (this.seq < 0) return false;  // a delta before the snapshot
      for (const r of msg.joined || []) {
        this.present.set(r.person, r);
        this._mark(r, true);
      }
      for (const id of msg.left || []) {
        const r = this.present.get(id);
        this.present.delete(id);
        this._mark(r || { person: id }, false);
      }
      this.seq = msg.seq;
    } else {
      return false;
    }
    this.counts = { present: msg.present, total: msg.total };
    this.version++;
    return true;
  }

  _mark(r, present) {
    if (!this.rosterIndex) return;
    let row = this.rosterIndex.get(r.person);
    if (!row && present) {       // came without being on the roster: appended
      row = { ...r };
      this.roster.push(row);
      this.rosterIndex.set(row.person, row);
    }
    if (row) row.present = present;
  }

  /** Load the whole roster page by page with fetchPage(offset, limit) ->
   *  {people, total}; onProgress(loaded, total) after each page. */
  async loadRoster(fetchPage, onProgress = () => {}, limit = 2000) {
    const rows = [];
    let total = Infinity;
    while (rows.length < total) {
      const page = await fetchPage(rows.length, limit);
      total = page.total;
      if (!page.people || page.people.length === 0) break;
      rows.push(...page.people);
      onProgress(rows.length, total);
    }
    // What changed while the pages came: the live present set wins.
    for (const r of rows) r.present = this.present.has(r.person);
    this.roster = rows;
    this.rosterIndex = new Map(rows.map((r) => [r.person, r]));
    for (const r of this.present.values()) this._mark(r, true);
    this.version++;
  }

  /** Rows to show: view 'present' (by name) or 'all' (roster order),
   *  filtered by a case-insensitive substring of the name. */
  rows(view, query = '') {
    const q = query.trim().toLocaleLowerCase();
    let rows;
    if (view === 'all' && this.roster) {
      rows = this.roster;
    } else {
      rows = [...this.present.values()].sort((a, b) => a.name.localeCompare(b.name));
    }
    return q ? rows.filter((r) => r.name.toLocaleLowerCase().includes(q)) : rows;
  }
}
