import './dom';
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import type { ImageProgress } from '../../../main/ipc/contract';
import { ImageTransferList } from '../../../renderer/components/ImageTransferList';
import { groupImageTransfers, imagePercent, MAX_IMAGE_BARS } from '../../../renderer/state/image-transfers';
import { FakeApi } from './fake-api';
import { h, renderWithApi } from './render';

afterEach(cleanup);
const MiB = 1024 * 1024;

const moving = (source: string, done: number, total: number): ImageProgress => ({ source, status: 'resolved', bytes: { phase: 'pull', done, total } });

/** A set of 46 images mid-way: some in flight, most finished or waiting, one failed, one blocked. */
function midway(inFlight: number): ImageProgress[] {
  return [
    ...Array.from({ length: 30 }, (_, i): ImageProgress => ({ source: `quay.io/org/done-${i}:1`, status: 'pulled', bytes: { phase: 'pull', done: MiB, total: MiB } })),
    ...Array.from({ length: inFlight }, (_, i) => moving(`quay.io/org/moving-${i}:1`, i * MiB, 10 * MiB)),
    ...Array.from({ length: 14 - inFlight }, (_, i): ImageProgress => ({ source: `quay.io/org/later-${i}:1`, status: 'resolved' })),
    { source: 'quay.io/org/gone:1', status: 'failed', message: 'manifest unknown' },
    { source: 'quay.io/org/secret:1', status: 'blocked' },
  ];
}

describe('groupImageTransfers', () => {
  const cases: ReadonlyArray<readonly [string, ImageProgress, keyof ReturnType<typeof groupImageTransfers>]> = [
    ['a seeded image', { source: 'a', status: 'pending' }, 'waiting'],
    ['a resolved image', { source: 'a', status: 'resolved' }, 'waiting'],
    ['an image whose bytes move', moving('a', 1, 2), 'active'],
    ['an image with all its own bytes, waiting for a shared layer', moving('a', 2, 2), 'active'],
    ['an import image being uploaded', { source: 'a', status: 'pending', bytes: { phase: 'push', done: 0, total: 5 } }, 'active'],
    ['a pulled image', { source: 'a', status: 'pulled', bytes: { phase: 'pull', done: 2, total: 2 } }, 'finished'],
    ['a pushed image', { source: 'a', status: 'pushed' }, 'finished'],
    ['a failed image, bytes or not', { ...moving('a', 1, 2), status: 'failed' }, 'failed'],
    ['a blocked image', { source: 'a', status: 'blocked' }, 'blocked'],
  ];
  for (const [name, image, group] of cases) {
    it(`puts ${name} under ${group}`, () => {
      const groups = groupImageTransfers([image]);
      for (const [key, list] of Object.entries(groups)) assert.equal(list.length, key === group ? 1 : 0, key);
    });
  }

  it('keeps the snapshot order within a group', () => {
    const groups = groupImageTransfers([moving('b', 0, 1), { source: 'x', status: 'pulled' }, moving('a', 0, 1)]);
    assert.deepEqual(groups.active.map((i) => i.source), ['b', 'a']);
  });

  it('measures a bar in whole percent, full for an image that brings no bytes of its own', () => {
    assert.equal(imagePercent({ phase: 'pull', done: 1, total: 3 }), 33);
    assert.equal(imagePercent({ phase: 'push', done: 0, total: 0 }), 100);
    assert.equal(imagePercent({ phase: 'pull', done: 5, total: 4 }), 100);
  });
});

describe('ImageTransferList', () => {
  it('with 46 images, draws bars only for the ones in flight and folds the rest into counts', () => {
    renderWithApi(h(ImageTransferList, { images: midway(4), phase: 'pull' }), new FakeApi());
    const region = screen.getByRole('region', { name: 'Image progress' });
    within(region).getByText('4 in progress · 30 downloaded · 10 waiting · 1 failed');
    const bars = within(region).getAllByRole('progressbar');
    assert.deepEqual(
      bars.map((b) => [b.getAttribute('aria-valuenow'), b.getAttribute('aria-valuetext')]),
      [
        ['0', 'Downloading: 0%, 0 B of 10.0 MiB'],
        ['10', 'Downloading: 10%, 1.00 MiB of 10.0 MiB'],
        ['20', 'Downloading: 20%, 2.00 MiB of 10.0 MiB'],
        ['30', 'Downloading: 30%, 3.00 MiB of 10.0 MiB'],
      ],
    );
    within(region).getByRole('progressbar', { name: 'quay.io/org/moving-3:1' });
    // Finished and waiting images are counted until the operator opens them.
    assert.ok(within(region).queryByRole('grid', { name: 'Finished images' }) === null);
    assert.ok(within(region).queryByRole('list', { name: 'Images waiting' }) === null);
    assert.ok(within(region).queryByText('quay.io/org/done-0:1') === null);
    within(region).getByText('1 image left out by blockedImages');
  });

  it('opens the finished and the waiting lists from the keyboard-reachable toggles', () => {
    renderWithApi(h(ImageTransferList, { images: midway(4), phase: 'pull' }), new FakeApi());
    const finishedToggle = screen.getByRole('button', { name: '30 downloaded, 1 failed' });
    assert.equal(finishedToggle.getAttribute('aria-expanded'), 'false');
    finishedToggle.focus();
    assert.equal(document.activeElement, finishedToggle);
    fireEvent.click(finishedToggle);
    assert.equal(finishedToggle.getAttribute('aria-expanded'), 'true');
    const finished = screen.getByRole('grid', { name: 'Finished images' });
    assert.equal(within(finished).getAllByRole('row').length, 1 + 31);
    within(finished).getByText('manifest unknown');
    fireEvent.click(screen.getByRole('button', { name: '10 images waiting' }));
    assert.equal(within(screen.getByRole('list', { name: 'Images waiting' })).getAllByRole('listitem').length, 10);
  });

  it(`draws at most ${MAX_IMAGE_BARS} bars and counts the others in flight`, () => {
    renderWithApi(h(ImageTransferList, { images: midway(12), phase: 'pull' }), new FakeApi());
    assert.equal(screen.getAllByRole('progressbar').length, MAX_IMAGE_BARS);
    screen.getByText(`and ${12 - MAX_IMAGE_BARS} more in progress`);
  });

  it('speaks of uploads and pushed images on the import side, and of shared layers', () => {
    renderWithApi(
      h(ImageTransferList, {
        images: [
          { source: 'r/a:1', status: 'pending', bytes: { phase: 'push', done: 0, total: 0 } },
          { source: 'r/b:1', status: 'pushed', bytes: { phase: 'push', done: 5, total: 5 } },
        ],
        phase: 'push',
      }),
      new FakeApi(),
    );
    screen.getByText('1 in progress · 1 pushed');
    screen.getByText('layers shared with other images');
    assert.equal(screen.getByRole('progressbar', { name: 'r/a:1' }).getAttribute('aria-valuetext'), 'Uploading: 100%');
    screen.getByRole('button', { name: '1 pushed' });
  });
});
