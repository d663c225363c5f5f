// Jest runs the files it has timed before longest first, and files it has never timed (a fresh clone,
// a new file) by size. The browser files are the longest of the suite but not the largest: one
// started last keeps one worker busy while the other waits. So among the untimed files they go first.
import Sequencer from '@jest/test-sequencer';

const BROWSER = /[\\/]test[\\/]dashboard[^\\/]*\.e2e-spec\.ts$/;

export default class LongestFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const untimedBrowser = sorted.filter((test) => test.duration == null && BROWSER.test(test.path));
    return [...untimedBrowser, ...sorted.filter((test) => !untimedBrowser.includes(test))];
  }
}
