// Shared by the subgroup-layout rasterizers: one subgroup of SG lanes per 16×16 tile, each lane
// owning PPL = 256 / SG of its pixels, and the early-out both use before the exp.

const SG: u32 = ${SG}u;
const PPL: u32 = ${PPL}u;

/**
 * A power below which opacity·exp(power) is certainly under ALPHA_MIN (with a margin, so the exact
 * test after exp still decides every pair near the threshold): such pairs skip the exp.
 */
fn skipPower(opacity: f32) -> f32 {
  return log(ALPHA_MIN / max(opacity, 1e-30)) - 1e-3;
}
