/**
 * Scenes of the capture corpus in POV-Ray's scene language, beside the sample's own (scene.ts).
 * Each differs from the others in geometry, texture and lighting, so that no SfM or training
 * default can fit one of them by accident:
 * - garden: outdoors, low warm sun and a featureless sky, hedges and columns along a path
 *   (walk-throughs: mostly forward motion);
 * - studio: indoors, a table of small objects under a warm spotlight with dark corners and a
 *   cool window light (orbits at several focal lengths);
 * - courtyard: overcast plaza, brick façades with rows of windows (repetitive), cobbles, a
 *   fountain (hand-held phone video);
 * - site: a 140 × 100 m plot seen from a drone: fields of different textures, roads, buildings,
 *   trees and a mound (surveys from 35–40 m; metres, y up).
 * Everything is procedural (no image files): renders are deterministic and self-contained.
 */

/** Names of the corpus scenes. */
export type WorldName = "garden" | "studio" | "courtyard" | "site";

const GARDEN = String.raw`
global_settings { assumed_gamma 1.0 max_trace_level 3 }
sky_sphere { pigment { gradient y color_map { [0 rgb <0.78,0.86,0.97>] [1 rgb <0.32,0.5,0.88>] } } }
light_source { <-40, 30, 25> color rgb <1.25,1.1,0.9> }
light_source { <25, 40, -30> color rgb <0.25,0.3,0.42> shadowless }
#default { finish { ambient 0.12 diffuse 0.85 } }

// Paving slabs along the path, gravel elsewhere.
plane { y, 0 texture { pigment { crackle form <1,0,0>
  color_map { [0 rgb <0.25,0.22,0.2>] [0.08 rgb <0.55,0.5,0.45>] [0.4 rgb <0.72,0.68,0.6>] [1 rgb <0.62,0.58,0.5>] }
  scale 0.7 } } }
box { <-1.2,0.001,-14>, <1.2,0.02,14> texture { pigment { brick color rgb <0.35,0.3,0.28>
  color rgb <0.8,0.62,0.45> brick_size <0.6,0.3,0.3> mortar 0.04 rotate x*90 } } }

// Hedges on both sides, broken by gaps; leaf texture at two scales.
#declare Hedge = texture { pigment { bozo turbulence 0.8
  color_map { [0 rgb <0.05,0.2,0.04>] [0.45 rgb <0.2,0.45,0.12>] [0.7 rgb <0.5,0.65,0.2>] [1 rgb <0.1,0.3,0.08>] } scale 0.18 } }
#declare Z = -13;
#while (Z < 13)
  box { <2.6,0,Z>, <3.4,1.3,Z+2.6> texture { Hedge } }
  box { <-3.4,0,Z+1.3>, <-2.6,1.1,Z+3.5> texture { Hedge } }
  #declare Z = Z + 4.2;
#end

// Columns with different stones, each on a plinth.
#declare I = 0;
#while (I < 7)
  #declare Zc = -12 + I * 4;
  #declare S = (I * 0.37) - floor(I * 0.37);
  cylinder { <1.9,0,Zc>, <1.9,2.8,Zc>, 0.22 texture { pigment { granite
    color_map { [0 rgb <0.9,0.85,0.75>] [0.5 rgb <0.6,0.5,0.45>] [1 rgb <0.25,0.2,0.2>] } scale 0.5 + S } } }
  box { <1.6,0,Zc-0.3>, <2.2,0.35,Zc+0.3> texture { pigment { marble turbulence 1.3
    color_map { [0 rgb <0.95,0.95,0.9>] [0.6 rgb <0.55,0.6,0.7>] [1 rgb <0.2,0.2,0.3>] } scale 0.4 } } }
  sphere { <-2.0,0.45,Zc + 1.5>, 0.45 texture { pigment { agate
    color_map { [0 rgb <0.7,0.3,0.15>] [0.5 rgb <0.95,0.75,0.45>] [1 rgb <0.35,0.12,0.05>] } scale 0.3 + S } } }
  #declare I = I + 1;
#end

// Trees beyond the hedges: trunks and crowns, and a far wall so distant views keep texture.
#declare T = 0;
#while (T < 9)
  #declare Zt = -14 + T * 3.5;
  #declare Xt = (mod(T, 2) = 0 ? 5.5 : -5.8);
  cylinder { <Xt,0,Zt>, <Xt,2.2,Zt>, 0.18 texture { pigment { wood turbulence 0.3
    color_map { [0 rgb <0.3,0.18,0.08>] [1 rgb <0.55,0.4,0.25>] } scale 0.08 rotate x*90 } } }
  sphere { <Xt,3.0,Zt>, 1.2 scale <1,1.3,1> texture { pigment { spotted
    color_map { [0 rgb <0.1,0.3,0.05>] [0.5 rgb <0.35,0.55,0.15>] [1 rgb <0.7,0.75,0.3>] } scale 0.25 } } }
  #declare T = T + 1;
#end
box { <-9,0,16>, <9,3.5,16.5> texture { pigment { brick color rgb <0.75,0.7,0.6>
  color rgb <0.6,0.25,0.15> brick_size <0.45,0.18,0.25> mortar 0.03 } } }
box { <-9,0,-16.5>, <9,3.5,-16> texture { pigment { leopard turbulence 0.5
  color_map { [0 rgb <0.9,0.8,0.6>] [1 rgb <0.3,0.35,0.5>] } scale 0.3 } } }
`;

const STUDIO = String.raw`
global_settings { assumed_gamma 1.0 max_trace_level 3 }
// Warm spotlight on the table, cool window light from one side, dim room otherwise.
light_source { <0.5, 6, 1> color rgb <1.6,1.3,0.9> spotlight point_at <0,0.8,0> radius 28 falloff 45 tightness 5 }
light_source { <-6, 3, -4> color rgb <0.35,0.42,0.6> }
light_source { <5, 4, 5> color rgb 0.18 shadowless }
#default { finish { ambient 0.06 diffuse 0.9 } }

// Room: wood floor, wallpaper of hexagonal cells holding three different patterns.
plane { y, 0 texture { pigment { wood turbulence 0.1
  color_map { [0 rgb <0.45,0.25,0.12>] [0.6 rgb <0.7,0.45,0.25>] [1 rgb <0.35,0.18,0.08>] } scale 0.25 rotate y*90 } } }
box { <-7,-0.1,-7>, <7,6,7> hollow texture { pigment { hexagon
  pigment { granite color_map { [0 rgb <0.8,0.75,0.6>] [1 rgb <0.4,0.35,0.3>] } scale 0.4 }
  pigment { spotted color_map { [0 rgb <0.3,0.4,0.55>] [1 rgb <0.75,0.8,0.9>] } scale 0.1 }
  pigment { leopard color_map { [0 rgb <0.6,0.3,0.3>] [1 rgb <0.9,0.75,0.6>] } scale 0.08 }
  scale 0.5 rotate x*90 } } }

// Table: top, four legs.
box { <-1.6,0.75,-1.1>, <1.6,0.82,1.1> texture { pigment { wood turbulence 0.25
  color_map { [0 rgb <0.55,0.35,0.2>] [0.5 rgb <0.8,0.6,0.4>] [1 rgb <0.45,0.28,0.15>] } scale 0.06 rotate z*90 } } }
#declare Leg = cylinder { <0,0,0>, <0,0.75,0>, 0.05 texture { pigment { rgb <0.3,0.2,0.12> } } }
object { Leg translate <-1.45,0,-0.95> } object { Leg translate <1.45,0,-0.95> }
object { Leg translate <-1.45,0,0.95> } object { Leg translate <1.45,0,0.95> }

// Objects on the table: books, a vase, fruit, a box, a ring.
box { <-1.3,0.82,-0.8>, <-0.7,0.94,-0.35> texture { pigment { gradient y
  color_map { [0 rgb <0.7,0.1,0.1>] [0.5 rgb <0.95,0.9,0.8>] [1 rgb <0.7,0.1,0.1>] } scale 0.04 } } }
box { <-1.25,0.94,-0.75>, <-0.75,1.05,-0.38> rotate y*12 translate <-0.05,0,0> texture { pigment { granite
  color_map { [0 rgb <0.1,0.3,0.6>] [1 rgb <0.8,0.85,0.95>] } scale 0.3 } } }
cylinder { <0.1,0.82,-0.3>, <0.1,1.45,-0.3>, 0.16 texture { pigment { marble turbulence 1.8
  color_map { [0 rgb <0.95,0.85,0.2>] [0.5 rgb <0.15,0.4,0.45>] [1 rgb <0.95,0.95,0.85>] } scale 0.15 } } }
sphere { <0.9,0.95,0.4>, 0.13 texture { pigment { bozo color_map { [0 rgb <0.9,0.4,0.05>] [1 rgb <1,0.75,0.2>] } scale 0.03 } } }
sphere { <1.12,0.93,0.55>, 0.11 texture { pigment { bozo color_map { [0 rgb <0.35,0.6,0.05>] [1 rgb <0.8,0.9,0.3>] } scale 0.03 } } }
sphere { <0.95,0.93,0.68>, 0.11 texture { pigment { bozo color_map { [0 rgb <0.6,0.05,0.1>] [1 rgb <0.95,0.4,0.3>] } scale 0.03 } } }
box { <-0.3,0.82,0.3>, <0.2,1.1,0.75> rotate y*-20 texture { pigment { checker
  pigment { agate color_map { [0 rgb <0.2,0.15,0.3>] [1 rgb <0.9,0.7,0.9>] } scale 0.1 }
  pigment { crackle color_map { [0 rgb <0.05,0.05,0.05>] [0.1 rgb <0.9,0.9,0.85>] [1 rgb <0.7,0.75,0.7>] } scale 0.06 }
  scale 0.08 } } }
torus { 0.22, 0.05 rotate x*70 translate <-0.7,1.0,0.45> texture { pigment { granite
  color_map { [0 rgb <0.3,0.1,0.05>] [1 rgb <0.95,0.6,0.3>] } scale 0.2 } } }
cone { <0.8,0.82,-0.6>, 0.18, <0.8,1.25,-0.6>, 0.02 texture { pigment { wood
  color_map { [0 rgb <0.2,0.5,0.3>] [1 rgb <0.9,0.95,0.7>] } scale 0.05 rotate x*60 } } }

// Furniture against the walls so wide views keep features at depth.
box { <-6.5,0,-6.8>, <-3,2.5,-5.8> texture { pigment { brick color rgb <0.25,0.2,0.15>
  color rgb <0.75,0.6,0.35> brick_size <0.4,0.25,0.3> mortar 0.05 } } }
box { <3.5,0,5.8>, <6.5,1.2,6.8> texture { pigment { marble turbulence 1
  color_map { [0 rgb <0.2,0.3,0.2>] [1 rgb <0.8,0.85,0.7>] } scale 0.6 } } }
sphere { <5.5,0.6,-5.5>, 0.6 texture { pigment { agate color_map { [0 rgb <0.5,0.1,0.5>] [1 rgb <0.95,0.8,0.5>] } scale 0.4 } } }
`;

const COURTYARD = String.raw`
global_settings { assumed_gamma 1.0 max_trace_level 3 }
sky_sphere { pigment { gradient y color_map { [0 rgb <0.8,0.8,0.82>] [1 rgb <0.6,0.62,0.66>] } } }
// Overcast: soft fills from four sides, one faint shadow-casting light.
light_source { <10, 20, 10> color rgb 0.45 }
light_source { <-20, 15, 5> color rgb 0.35 shadowless }
light_source { <5, 15, -20> color rgb 0.35 shadowless }
light_source { <0, 30, 0> color rgb 0.3 shadowless }
#default { finish { ambient 0.2 diffuse 0.7 } }

// Cobbles.
plane { y, 0 texture { pigment { crackle
  color_map { [0 rgb <0.15,0.14,0.13>] [0.06 rgb <0.45,0.42,0.38>] [0.5 rgb <0.6,0.57,0.52>] [1 rgb <0.5,0.47,0.44>] }
  scale 0.35 } } }

// Façades on three sides: bricks, rows of windows with frames and sills.
#macro Facade(Tint, Seed)
  union {
    box { <-8,0,0>, <8,7,0.6> texture { pigment { brick color rgb <0.82,0.8,0.75>
      color rgb Tint brick_size <0.42,0.16,0.3> mortar 0.035 } } }
    #declare R = 0;
    #while (R < 3)
      #declare C = 0;
      #while (C < 7)
        #declare X = -6.6 + C * 2.2;
        #declare Y = 1.2 + R * 2;
        box { <X,Y,-0.05>, <X+0.9,Y+1.2,0.1> texture { pigment { granite
          color_map { [0 rgb <0.05,0.07,0.1>] [1 rgb <0.3,0.35,0.45>] } scale 0.3 + 0.1 * mod(C + R + Seed, 3) } } }
        box { <X-0.1,Y-0.15,-0.2>, <X+1.0,Y,0.1> texture { pigment { rgb <0.9,0.88,0.8> } } }
        #declare C = C + 1;
      #end
      #declare R = R + 1;
    #end
    box { <-1,0,-0.1>, <1,2.4,0.2> texture { pigment { wood turbulence 0.2
      color_map { [0 rgb <0.25,0.1,0.05>] [1 rgb <0.5,0.3,0.15>] } scale 0.07 } } }
  }
#end
object { Facade(<0.65,0.3,0.2>, 0) translate <0,0,9> }
object { Facade(<0.55,0.45,0.3>, 1) rotate y*-90 translate <-9,0,0> }
object { Facade(<0.7,0.55,0.4>, 2) rotate y*90 translate <9,0,0> }
box { <-9,0,-9.6>, <9,1.2,-9> texture { pigment { bozo
  color_map { [0 rgb <0.2,0.35,0.15>] [1 rgb <0.6,0.7,0.35>] } scale 0.2 } } }

// Fountain: stone basin, water, a central column with a bowl.
difference {
  cylinder { <0,0,0>, <0,0.55,0>, 1.8 }
  cylinder { <0,0.2,0>, <0,0.6,0>, 1.55 }
  texture { pigment { granite color_map { [0 rgb <0.85,0.82,0.75>] [0.5 rgb <0.55,0.52,0.5>] [1 rgb <0.3,0.28,0.28>] } scale 0.6 } }
}
cylinder { <0,0.2,0>, <0,0.42,0>, 1.55 texture { pigment { agate
  color_map { [0 rgb <0.1,0.25,0.35>] [1 rgb <0.45,0.65,0.7>] } scale 0.5 } } }
cylinder { <0,0,0>, <0,1.6,0>, 0.2 texture { pigment { marble turbulence 1.2
  color_map { [0 rgb <0.9,0.9,0.88>] [1 rgb <0.4,0.42,0.5>] } scale 0.3 } } }
sphere { <0,1.75,0>, 0.45 scale <1,0.45,1> texture { pigment { spotted
  color_map { [0 rgb <0.5,0.45,0.35>] [1 rgb <0.85,0.8,0.7>] } scale 0.12 } } }

// Benches and planters around the plaza.
#declare K = 0;
#while (K < 6)
  #declare A = K * 60 + 15;
  box { <-0.7,0.4,-0.22>, <0.7,0.5,0.22> texture { pigment { wood
    color_map { [0 rgb <0.5,0.3,0.15>] [1 rgb <0.75,0.55,0.3>] } scale 0.05 rotate y*90 } }
    translate <0,0,4.2> rotate y*A }
  cylinder { <0,0,0>, <0,0.7,0>, 0.35 texture { pigment { leopard
    color_map { [0 rgb <0.6,0.25,0.15>] [1 rgb <0.85,0.6,0.4>] } scale 0.12 } }
    translate <0,0,5.6> rotate y*(A + 30) }
  #declare K = K + 1;
#end
`;

const SITE = String.raw`
global_settings { assumed_gamma 1.0 max_trace_level 3 }
sky_sphere { pigment { gradient y color_map { [0 rgb <0.75,0.84,0.95>] [1 rgb <0.35,0.55,0.9>] } } }
light_source { <300, 500, -200> color rgb <1.2,1.15,1.05> }
light_source { <-300, 400, 300> color rgb 0.35 shadowless }
#default { finish { ambient 0.15 diffuse 0.8 } }

// Fields: a 24 m cell pattern picks one of five textures per plot, each with detail at 0.3-3 m.
plane { y, 0 texture { pigment { cells pigment_map {
  [0.0 granite color_map { [0 rgb <0.35,0.5,0.15>] [0.5 rgb <0.55,0.65,0.25>] [1 rgb <0.2,0.3,0.1>] } scale 0.06]
  [0.2 granite color_map { [0 rgb <0.35,0.5,0.15>] [0.5 rgb <0.55,0.65,0.25>] [1 rgb <0.2,0.3,0.1>] } scale 0.06]
  [0.2 crackle color_map { [0 rgb <0.3,0.2,0.1>] [0.1 rgb <0.6,0.45,0.3>] [1 rgb <0.75,0.6,0.4>] } scale 0.05]
  [0.4 crackle color_map { [0 rgb <0.3,0.2,0.1>] [0.1 rgb <0.6,0.45,0.3>] [1 rgb <0.75,0.6,0.4>] } scale 0.05]
  [0.4 bozo turbulence 0.7 color_map { [0 rgb <0.45,0.4,0.15>] [0.5 rgb <0.95,0.9,0.55>] [1 rgb <0.3,0.25,0.1>] } scale 0.03]
  [0.6 bozo turbulence 0.7 color_map { [0 rgb <0.45,0.4,0.15>] [0.5 rgb <0.95,0.9,0.55>] [1 rgb <0.3,0.25,0.1>] } scale 0.03]
  [0.6 agate color_map { [0 rgb <0.15,0.35,0.12>] [0.6 rgb <0.4,0.6,0.2>] [1 rgb <0.8,0.85,0.5>] } scale 0.08]
  [0.8 agate color_map { [0 rgb <0.15,0.35,0.12>] [0.6 rgb <0.4,0.6,0.2>] [1 rgb <0.8,0.85,0.5>] } scale 0.08]
  [0.8 leopard turbulence 0.4 color_map { [0 rgb <0.5,0.4,0.3>] [1 rgb <0.85,0.8,0.65>] } scale 0.025]
  [1.0 leopard turbulence 0.4 color_map { [0 rgb <0.5,0.4,0.3>] [1 rgb <0.85,0.8,0.65>] } scale 0.025]
} scale 24 } } }

// Roads: one along x, one along z, asphalt with a dashed centre line.
#declare Asphalt = texture { pigment { bozo turbulence 0.8 color_map { [0 rgb 0.12] [0.4 rgb 0.3] [0.7 rgb 0.22] [1 rgb 0.45] } scale 1.5 } }
box { <-80,0,-4.5>, <80,0.05,2.5> texture { Asphalt } }
box { <14,0,-60>, <20,0.05,60> texture { Asphalt } }
#declare K = -80;
#while (K < 80)
  box { <K,0.05,-1.15>, <K+3,0.06,-0.85> texture { pigment { rgb 0.95 } } }
  #declare K = K + 6;
#end

// Buildings: walls of brick, roofs of crackled tiles; different sizes, heights and turns.
#macro House(X, Z, W, D, H, Ang, Tint)
  union {
    box { <-W/2,0,-D/2>, <W/2,H,D/2> texture { pigment { brick color rgb <0.85,0.82,0.78> color rgb Tint
      brick_size <0.5,0.25,0.4> mortar 0.05 } } }
    box { <-W/2-0.4,H,-D/2-0.4>, <W/2+0.4,H+0.5,D/2+0.4>
      texture { pigment { crackle color_map { [0 rgb <0.2,0.1,0.08>] [0.08 rgb <0.65,0.3,0.2>] [1 rgb <0.8,0.45,0.3>] } scale 0.6 } } }
    box { <-W/4,H+0.5,-D/4>, <W/4,H+2,D/4> texture { pigment { granite color_map { [0 rgb 0.3] [1 rgb 0.8] } scale 0.5 } } }
    rotate y*Ang translate <X,0,Z>
  }
#end
object { House(-40, 18, 12, 9, 6, 10, <0.7,0.3,0.2>) }
object { House(-22, 30, 9, 8, 5, -5, <0.6,0.45,0.3>) }
object { House(35, 22, 14, 10, 8, 30, <0.65,0.35,0.25>) }
object { House(42, -25, 10, 12, 7, 0, <0.55,0.4,0.35>) }
object { House(-35, -28, 16, 8, 5, 75, <0.7,0.5,0.3>) }
object { House(0, -30, 8, 8, 10, 45, <0.6,0.3,0.3>) }

// Trees: trunks and crowns of spotted leaves, in two groves and along the road.
#declare T = 0;
#while (T < 22)
  #declare Tx = -70 + mod(T * 37, 140);
  #declare Tz = 8 + mod(T * 23, 14) + (mod(T, 2) = 0 ? 0 : -28);
  cylinder { <Tx,0,Tz>, <Tx,3,Tz>, 0.3 texture { pigment { rgb <0.35,0.25,0.15> } } }
  sphere { <Tx,4.2,Tz>, 2.4 + 0.05 * mod(T * 7, 13) texture { pigment { spotted
    color_map { [0 rgb <0.08,0.25,0.05>] [0.5 rgb <0.3,0.5,0.12>] [1 rgb <0.6,0.7,0.25>] } scale 0.5 } } }
  #declare T = T + 1;
#end

// A mound and a pond: the site is not flat.
sphere { <-5,-22,12>, 26 scale <1,1,0.8> texture { pigment { granite
  color_map { [0 rgb <0.15,0.3,0.08>] [0.5 rgb <0.5,0.6,0.2>] [1 rgb <0.8,0.7,0.4>] } scale 0.5 } } }
cylinder { <25,-0.5,-8>, <25,0.02,-8>, 7 scale <1.4,1,1> texture { pigment { agate
  color_map { [0 rgb <0.05,0.2,0.3>] [1 rgb <0.3,0.5,0.55>] } scale 2 } } }
// Parked cars and containers: small sharp features.
#declare C = 0;
#while (C < 8)
  box { <-2.2,0,-1>, <2.2,1.5,1> rotate y*(C * 23) translate <-60 + C * 9, 0, -10 - mod(C, 3) * 3>
    texture { pigment { marble turbulence 1 color_map { [0 rgb <0.9,0.2 + 0.1 * C,0.1>] [1 rgb <0.2,0.3,0.8>] } scale 0.7 } } }
  #declare C = C + 1;
#end
`;

const WORLDS: Record<WorldName, string> = {
  garden: GARDEN,
  studio: STUDIO,
  courtyard: COURTYARD,
  site: SITE,
};

/** The POV-Ray source of a corpus scene, without a camera. */
export function worldSource(name: WorldName): string {
  return WORLDS[name];
}
