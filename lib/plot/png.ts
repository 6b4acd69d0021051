/**
 * SVG to PNG, for charts pasted into chats and issues, with resvg (@resvg/resvg-js: a maintained
 * rasterizer whose binary ships in per-platform npm packages, installed as an optional
 * dependency of myelin, with no install script). Loaded only when a PNG is asked for; where it
 * is missing (npm install --omit=optional, or a platform it has no binary for) the error names
 * the package to install. Text needs a system font: any of those the SVG names, or sans-serif.
 */
import { MissingDependencyError } from '../errors';

const PACKAGE = '@resvg/resvg-js';

/** The part of @resvg/resvg-js used here, typed by hand: the package is optional, so not always there to type-check against. */
interface Resvg {
  renderAsync(svg: string): Promise<{ asPng(): Buffer }>;
}

function loadResvg(): Resvg {
  try {
    return require(PACKAGE) as Resvg;
  } catch (error) {
    throw new MissingDependencyError(
      PACKAGE,
      `Writing a PNG needs the package ${PACKAGE} (an optional dependency of myelin), which did not load: ${(error as Error).message.split('\n')[0]}. ` +
        `Install it with 'npm install ${PACKAGE}', or write the chart as .svg.`,
      { cause: error },
    );
  }
}

/** The PNG of an SVG document, one pixel a unit of its width and height; rendered off the main thread. */
export async function svgToPng(svg: string): Promise<Buffer> {
  const resvg = loadResvg();
  return (await resvg.renderAsync(svg)).asPng();
}
