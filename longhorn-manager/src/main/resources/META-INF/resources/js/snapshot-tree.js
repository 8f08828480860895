// Draws a volume's snapshot chain as a tree, oldest at the top and the volume head at the tip. A
// straight chain stays one column; where a snapshot has several children (after a revert) each
// branch is indented under it, like a commit graph.

import { h } from './dom.js';
import { ago, bytes, compareText, dateTime, labels } from './format.js';
import { badge } from './ui.js';

export const HEAD = 'volume-head';

/**
 * @param snapshots the API's snapshotList data
 * @param actions (snapshot) → array of buttons for that snapshot
 */
export function snapshotTree(snapshots, actions) {
  const byName = new Map(snapshots.map((s) => [s.name, s]));
  const children = new Map();
  const roots = [];
  for (const s of snapshots) {
    if (s.parent && byName.has(s.parent)) {
      if (!children.has(s.parent)) {
        children.set(s.parent, []);
      }
      children.get(s.parent).push(s);
    } else {
      roots.push(s);
    }
  }
  const order = (a, b) => (a.name === HEAD) - (b.name === HEAD) || compareText(a.created || '', b.created || '')
    || compareText(a.name, b.name);
  for (const list of children.values()) {
    list.sort(order);
  }
  roots.sort(order);

  // One branch: follow single children down, and open a nested list of branches at a fork.
  const branch = (start) => {
    const items = [];
    let node = start;
    while (node) {
      const kids = children.get(node.name) || [];
      const item = entry(node, actions);
      items.push(item);
      if (kids.length === 1) {
        node = kids[0];
      } else {
        if (kids.length > 1) {
          item.appendChild(h('ul.snap-branches', kids.map((k) => h('li.snap-branch', h('ol.snap-chain', branch(k))))));
        }
        node = null;
      }
    }
    return items;
  };

  return h('div.snap-tree', roots.length > 1
    ? h('ul.snap-branches.snap-roots', roots.map((r) => h('li.snap-branch', h('ol.snap-chain', branch(r)))))
    : h('ol.snap-chain', roots.length ? branch(roots[0]) : []));
}

function entry(s, actions) {
  const head = s.name === HEAD;
  const kind = head ? 'head' : s.removed ? 'removed' : s.usercreated ? 'user' : 'system';
  const details = head ? [h('span.muted', 'the writable layer: new writes land here')] : [
    h('span', { title: dateTime(s.created) }, ago(s.created)),
    h('span', bytes(s.size)),
    labels(s.labels) ? h('span.muted', labels(s.labels)) : null,
  ];
  return h('li.snap', { class: `snap-${kind}`, dataset: { snapshot: s.name } },
    h('div.snap-node',
      h('span.snap-dot', { 'aria-hidden': 'true' }),
      h('div.snap-body',
        h('div.snap-title',
          h('span.snap-name', head ? 'Volume head' : s.name),
          head ? badge('head', 'head') : badge(kind === 'removed' ? 'removed' : kind === 'user' ? 'user' : 'system',
            kind, kind === 'system' ? 'taken by the system (rebuild, backup)' : undefined)),
        h('div.snap-meta', details)),
      head ? null : h('div.snap-actions', actions(s))));
}
