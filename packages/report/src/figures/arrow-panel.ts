import * as Plot from "@observablehq/plot";
import { plotElement } from "../render.ts";
import { FONT_SIZE } from "../style.ts";
import { tip, tipVector } from "../titles.ts";
import { panelLimit } from "./arrows.ts";

/**
 * One square panel of arrows from the origin, optionally labelled at the tips.
 * The building block of the schematic and of the TMS training figure, where
 * panels of different sizes sit side by side (so facets do not fit).
 */

export interface PanelArrow {
  x: number;
  y: number;
  color: string;
  /** Line width in px. */
  width: number;
  /** Text drawn just beyond the tip, in the arrow's colour. */
  label?: string;
  /** Default 1; used to push reference arrows into the background. */
  opacity?: number;
  /** CSS class of the mark, for tests and styling; default "panel-arrow". */
  className?: string;
  /** Tooltip; default the label and the vector. */
  title?: string;
}

/** The tooltip of an arrow: what it is and where it points. */
function arrowTip(a: PanelArrow): string {
  return a.title ?? tip(a.label, tipVector(a.x, a.y));
}

export interface ArrowPanelOptions {
  /** Side in px; default 200. */
  size?: number;
  /**
   * Half-width of the axes, used as given (pass one value to several panels to
   * compare lengths); default fits every arrow (at least ±1.1), with room for labels.
   */
  limit?: number;
  /** Draw thin axes through the origin; default true. */
  crosshair?: boolean;
  /** Accessible name of the panel. */
  ariaLabel?: string;
}

/** Factor on the half-width that leaves room for tip labels. */
export const LABEL_ROOM = 1.2;

export function arrowPanel(arrows: readonly PanelArrow[], options: ArrowPanelOptions = {}): SVGSVGElement {
  const { size = 200, crosshair = true } = options;
  const labelled = arrows.some((a) => a.label);
  // Labels sit beyond the tips, so leave them room inside the frame.
  const limit = options.limit ?? panelLimit(arrows) * (labelled ? LABEL_ROOM : 1);
  const groups = groupByStyle(arrows);
  const labelOffset = 0.12 * limit;
  const labels = arrows
    .filter((a) => a.label)
    .map((a) => {
      const norm = Math.hypot(a.x, a.y) || 1;
      return { ...a, lx: a.x + (a.x / norm) * labelOffset, ly: a.y + (a.y / norm) * labelOffset };
    });
  return plotElement({
    width: size,
    height: size,
    margin: 1,
    x: { domain: [-limit, limit], axis: null },
    y: { domain: [-limit, limit], axis: null },
    ariaLabel: options.ariaLabel,
    // Colours and opacities below are literal values, not data to be scaled.
    color: { type: "identity" },
    opacity: { type: "identity" },
    marks: [
      Plot.frame({ stroke: "rgb(170,170,170)", strokeWidth: 0.75 }),
      // the crosshair only guides the eye: hidden from assistive technology, no tooltip
      crosshair ? Plot.ruleX([0], { stroke: "rgb(225,225,225)", ariaHidden: "true" }) : null,
      crosshair ? Plot.ruleY([0], { stroke: "rgb(225,225,225)", ariaHidden: "true" }) : null,
      ...groups.map(({ style, arrows }) =>
        Plot.arrow(arrows, {
          x1: 0,
          y1: 0,
          x2: "x",
          y2: "y",
          stroke: style.color,
          strokeWidth: style.width,
          strokeOpacity: style.opacity ?? 1,
          headLength: 5 + style.width * 1.5,
          clip: true,
          className: style.className ?? "panel-arrow",
          ariaLabel: (d: PanelArrow) => d.label ?? "",
          title: arrowTip,
        }),
      ),
      Plot.text(labels, {
        x: "lx",
        y: "ly",
        text: "label",
        fill: (d: PanelArrow) => d.color,
        fillOpacity: (d: PanelArrow) => d.opacity ?? 1,
        fontSize: FONT_SIZE + 1,
        fontWeight: "bold",
        className: "arrow-label",
        title: arrowTip,
      }),
    ],
  });
}

/**
 * Plot takes one stroke width per mark, so arrows are split into one mark per
 * style, kept in first-appearance order so later groups draw on top.
 */
function groupByStyle(arrows: readonly PanelArrow[]): Array<{ style: PanelArrow; arrows: PanelArrow[] }> {
  const groups = new Map<string, { style: PanelArrow; arrows: PanelArrow[] }>();
  for (const a of arrows) {
    const key = `${a.color}|${a.width}|${a.opacity ?? 1}|${a.className ?? ""}`;
    const group = groups.get(key);
    if (group) group.arrows.push(a);
    else groups.set(key, { style: a, arrows: [a] });
  }
  return [...groups.values()];
}
