/**
 * PASCAL VOC 2012 segmentation classes, 0 = background: the label space of
 * the DeepLab, FCN and LRASPP models trained on VOC (torchvision's
 * `*_voc`/COCO-with-VOC-categories weights among them).
 */
export const VOC21_LABELS: readonly string[] = Object.freeze([
  'background',
  'aeroplane',
  'bicycle',
  'bird',
  'boat',
  'bottle',
  'bus',
  'car',
  'cat',
  'chair',
  'cow',
  'diningtable',
  'dog',
  'horse',
  'motorbike',
  'person',
  'pottedplant',
  'sheep',
  'sofa',
  'train',
  'tvmonitor',
]);
