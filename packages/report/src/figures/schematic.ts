import { compose, stack, textBlock, withTitle, type Placement } from "../compose.ts";
import { formatNumber } from "../format.ts";
import { serializeSvg } from "../render.ts";
import { BEST_COLOR, FONT_SIZE, setColor } from "../style.ts";
import { tip, tipNumber, tipVector } from "../titles.ts";
import { arrowPanel, LABEL_ROOM, type PanelArrow } from "./arrow-panel.ts";
import { latentLabel, panelLimit, type TrueFeature, type Vec2 } from "./arrows.ts";

/**
 * The composed-feature schematic (§3.4 plot_schematic): a large panel of the
 * true features (x1, x2, y1, y2), a large panel of the lowest-loss instance's
 * decoder rows (f1…), and small panels for the other instances in loss order,
 * so one sees whether the failure is shared by every realisation.
 */

export interface SchematicInstance {
  /** Decoder rows (unit vectors in the 2-d hidden plane). */
  rows: readonly Vec2[];
  /** The instance's evaluation loss; panels are ordered by it (NaN last). */
  loss: number;
  /** Shown in the panel heading; default the instance's position in `instances`. */
  id?: string | number;
}

export interface SchematicData {
  trueFeatures: readonly TrueFeature[];
  instances: readonly SchematicInstance[];
  title?: string;
}

export interface SchematicOptions {
  /** Side of the two large panels in px; default 220. */
  largeSize?: number;
  /** Side of the small panels in px; default 104. */
  smallSize?: number;
  /** Rows of small panels; default 2. */
  smallRows?: number;
  /** Draw the true features faintly behind decoder rows, for reference; default true. */
  showTruthBehind?: boolean;
}

export function schematicFigure(data: SchematicData, options: SchematicOptions = {}): string {
  return serializeSvg(schematicElement(data, options));
}

export function schematicElement(data: SchematicData, options: SchematicOptions = {}): SVGSVGElement {
  const { largeSize = 220, smallSize = 104, smallRows = 2, showTruthBehind = true } = options;
  if (data.instances.length === 0) throw new Error("schematicFigure: at least one instance is needed");
  const ranked = data.instances.map((instance, index) => ({ ...instance, id: instance.id ?? index })).sort((a, b) => rankLoss(a.loss) - rankLoss(b.loss));
  // One scale for every panel, so arrow lengths compare across panels.
  const limit = panelLimit([...data.trueFeatures, ...ranked.flatMap((i) => i.rows)]) * LABEL_ROOM;

  const truth = (labelled: boolean, opacity: number): PanelArrow[] =>
    data.trueFeatures.map((f) => ({
      x: f.x,
      y: f.y,
      color: setColor(f.set),
      width: 3,
      opacity,
      label: labelled ? f.label : undefined,
      className: "true-feature",
      title: tip(`true feature ${f.label}`, tipVector(f.x, f.y)),
    }));
  const decoder = (instance: (typeof ranked)[number], rank: number, labelled: boolean): PanelArrow[] =>
    instance.rows.map(([x, y], j) => ({
      x,
      y,
      color: BEST_COLOR,
      width: 2,
      label: labelled ? latentLabel(j) : undefined,
      className: "decoder-row",
      title: tip(`instance ${instance.id} (rank ${rank} by loss, loss ${tipNumber(instance.loss)})`, `latent ${latentLabel(j)} ${tipVector(x, y)}`),
    }));
  const behind = showTruthBehind ? truth(false, 0.25) : [];

  const titled = (heading: string, panel: SVGSVGElement, fontSize: number) =>
    stack([textBlock(heading, { fontSize, width: Number(panel.getAttribute("width")), fontWeight: "bold" }), panel], {
      gap: 2,
    });

  const [best, ...others] = ranked;
  if (!best) throw new Error("schematicFigure: at least one instance is needed");
  const large = [
    titled("True features", arrowPanel(truth(true, 1), { size: largeSize, limit, ariaLabel: "true features" }), 12),
    titled(
      `Lowest loss: inst. ${best.id} (${formatNumber(best.loss, { digits: 3 })})`,
      arrowPanel([...behind, ...decoder(best, 1, true)], { size: largeSize, limit, ariaLabel: "lowest-loss instance" }),
      12,
    ),
  ];
  const small = others.map((instance, k) =>
    titled(
      `${k + 2}. inst. ${instance.id}: ${formatNumber(instance.loss, { digits: 3 })}`,
      arrowPanel([...behind, ...decoder(instance, k + 2, false)], {
        size: smallSize,
        limit,
        ariaLabel: `instance ${instance.id}, rank ${k + 2}`,
      }),
      FONT_SIZE - 1,
    ),
  );

  const gap = 12;
  const placements: Placement[] = [];
  let x = 0;
  for (const panel of large) {
    placements.push({ element: panel, x, y: 0 });
    x += largeSize + gap;
  }
  // Small panels fill `smallRows` rows in loss order, reading left to right.
  const smallHeight = Number(small[0]?.getAttribute("height") ?? 0);
  const smallColumns = Math.ceil(small.length / Math.max(1, smallRows));
  small.forEach((panel, k) => {
    const column = k % smallColumns;
    const row = Math.floor(k / smallColumns);
    placements.push({ element: panel, x: x + column * (smallSize + gap), y: row * (smallHeight + 4) });
  });
  const svg = compose(placements);
  svg.setAttribute("class", "schematic");
  return withTitle(svg, data.title);
}

/** Sort key that puts NaN (diverged) losses last. */
function rankLoss(loss: number): number {
  return Number.isNaN(loss) ? Number.POSITIVE_INFINITY : loss;
}
