// How a run's browser pages were drawn (summary.json generator.browser.frameRate), in the words the
// report's generator table and the baseline warning share.
export const pagesDrawn = (frameRate: number): string => (frameRate > 0 ? `pages paced at ${frameRate} frames/s` : 'every frame drawn');
