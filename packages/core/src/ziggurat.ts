/**
 * Tables of the ziggurat method for standard normals (Marsaglia & Tsang, "The Ziggurat Method
 * for Generating Random Variables", J. Stat. Softw. 5(8), 2000), 256 layers.
 *
 * The right half of the density f(x) = exp(−x²/2) is covered by 256 layers of equal area V:
 * layer 0 is the rectangle [0, R] × [0, f(R)] plus the tail beyond R; layer i ≥ 1 is the
 * rectangle [0, x_i] × [f(x_i), f(x_(i+1))]. A draw picks a layer and a point x = U·x_i in it:
 * when x < x_(i+1) the point lies under the curve for sure (≈ 99 % of draws: no exp, no log).
 * R and V are the paper's 256-layer constants; x_256 = 0 closes the top.
 */

const R = 3.6541528853610088;
const V = 0.00492867323399;
const density = (x: number): number => Math.exp(-0.5 * x * x);

/** x_i, the right edge of layer i (x_0 = V/f(R) is the base layer's width, so its area is V). */
export const ZIGGURAT_X = new Float64Array(257);
/** f(x_i). */
export const ZIGGURAT_F = new Float64Array(257);
/** x_i / 2³²: x = u·ZIGGURAT_SCALE[i] for a 32-bit unsigned draw u. */
export const ZIGGURAT_SCALE = new Float64Array(256);
export const ZIGGURAT_R = R;

ZIGGURAT_X[0] = V / density(R);
ZIGGURAT_X[1] = R;
// layer i has area x_i·(f(x_(i+1)) − f(x_i)) = V
for (let i = 1; i < 255; i++) ZIGGURAT_X[i + 1] = Math.sqrt(-2 * Math.log(V / ZIGGURAT_X[i] + density(ZIGGURAT_X[i])));
ZIGGURAT_X[256] = 0;
for (let i = 0; i <= 256; i++) ZIGGURAT_F[i] = density(ZIGGURAT_X[i]);
for (let i = 0; i < 256; i++) ZIGGURAT_SCALE[i] = ZIGGURAT_X[i] / 4294967296;
