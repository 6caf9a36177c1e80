import { z } from "zod";

/** `cameras.json` beside the exported model: where the capture's cameras were. */
export const VIEW_CAMERAS_FILENAME = "cameras.json";

const Vec3Schema = z.tuple([z.number(), z.number(), z.number()]);

/** One capture camera: pinhole intrinsics and the world→camera pose (OpenCV/COLMAP axes). */
export const ViewCameraSchema = z.object({
  /** The image's name in the camera model. */
  name: z.string(),
  /** Held out of training (evaluated and previewed) rather than trained on. */
  held_out: z.boolean(),
  width: z.number().positive(),
  height: z.number().positive(),
  fx: z.number().positive(),
  fy: z.number().positive(),
  cx: z.number(),
  cy: z.number(),
  /** World→camera [R | t], row-major 3×4: x right, y down, z forward. */
  viewmat: z.array(z.number()).length(12),
});
export type ViewCamera = z.infer<typeof ViewCameraSchema>;

/**
 * `cameras.json`, written by Training: the cameras in the model's world frame, held-out views
 * first (the first is the one previews render), the world's up direction and the point the
 * cameras look at, so a viewer can open at a capture camera and orbit the scene.
 */
export const ViewCamerasSchema = z.looseObject({
  version: z.literal(1),
  /** Unit up vector of the world: the cameras' mean up (−y) direction. */
  up: Vec3Schema,
  /** The point nearest to the cameras' optical axes (least squares). */
  look_at: Vec3Schema,
  cameras: z.array(ViewCameraSchema).min(1),
});
export type ViewCameras = z.infer<typeof ViewCamerasSchema>;
