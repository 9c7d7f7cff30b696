/**
 * torch.nn.utils.clip_grad_norm_(parameters, maxNorm) applied to each grid instance on its
 * own: every instance is a separate SAE, so one instance's large gradient must not shrink
 * another's update. Parameter tensors are instance-major ([I, …]).
 *
 * As torch: total = ‖all of the instance's gradients‖₂, coef = maxNorm/(total + 1e-6),
 * gradients ×= min(coef, 1).
 */
export function clipGradNormPerInstance(grads: readonly Float32Array[], instances: number, maxNorm: number, active?: Uint8Array): Float64Array {
  const norms = new Float64Array(instances);
  for (let i = 0; i < instances; i++) {
    if (active && !active[i]) continue;
    let ss = 0;
    for (const g of grads) {
      const per = g.length / instances;
      for (let e = i * per, end = e + per; e < end; e++) ss += g[e] * g[e];
    }
    const total = Math.sqrt(ss);
    norms[i] = total;
    const coef = maxNorm / (total + 1e-6);
    if (coef >= 1) continue;
    for (const g of grads) {
      const per = g.length / instances;
      for (let e = i * per, end = e + per; e < end; e++) g[e] *= coef;
    }
  }
  return norms;
}
