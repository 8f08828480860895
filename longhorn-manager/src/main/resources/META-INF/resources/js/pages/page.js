// What every page shares: its app, the errors of actions run from it (shown next to the control
// that ran them), and running an action then refreshing at once.

import { toast } from '../ui.js';

export class Page {
  constructor(app) {
    this.app = app;
    /** Action errors by the key of the place they were started from. */
    this.errors = new Map();
  }

  /** Poll interval in ms. */
  interval() {
    return 2000;
  }

  /**
   * Runs an action started at `key`; its error is kept under that key (the page renders it there)
   * until the next action there. A success message goes to a toast.
   */
  async act(key, fn, success) {
    this.errors.delete(key);
    this.app.render();
    try {
      const result = await fn();
      if (success) {
        toast(typeof success === 'function' ? success(result) : success);
      }
      return result;
    } catch (e) {
      this.errors.set(key, e.message);
      this.app.render();
      return undefined;
    } finally {
      this.app.refresh();
    }
  }

  /** Re-renders from the last data after a change of this page's own state (filter, sort, ...). */
  rerender() {
    this.app.render();
  }

  /** Fetches now (after a dialog did something). */
  refresh() {
    return this.app.refresh();
  }
}
