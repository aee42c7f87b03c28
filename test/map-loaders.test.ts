/** Dataset loaders: COCO JSON, YOLO txt, Pascal VOC XML (and the tiny XML reader under it). */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCocoAnnotations, parseCocoResults } from '../src/eval/loaders/coco-json.ts';
import { loadVocDataset, parseVocXml } from '../src/eval/loaders/voc-xml.ts';
import { parseXml } from '../src/eval/loaders/xml.ts';
import {
  defaultLabelPath,
  loadYoloDataset,
  parseYoloLabels,
} from '../src/eval/loaders/yolo-txt.ts';

// ---------------------------------------------------------------- COCO
test('coco: annotations convert [x,y,w,h] to corners, keep area, crowd and category ids', () => {
  const set = parseCocoAnnotations(
    JSON.stringify({
      images: [{ id: 42, file_name: '000000000042.jpg', width: 640, height: 480 }],
      annotations: [
        { id: 1, image_id: 42, category_id: 18, bbox: [10, 20, 30, 40], area: 900, iscrowd: 0 },
        { id: 2, image_id: 42, category_id: 1, bbox: [0, 0, 100, 50], area: 3000, iscrowd: 1 },
      ],
      categories: [
        { id: 1, name: 'person' },
        { id: 18, name: 'dog' },
      ],
    }),
  );
  assert.equal(set.images, [{ id: 42, file: '000000000042.jpg', width: 640, height: 480 }]);
  assert.equal(set.annotations, [
    { imageId: 42, classId: 18, box: [10, 20, 40, 60], area: 900 },
    { imageId: 42, classId: 1, box: [0, 0, 100, 50], iscrowd: true, area: 3000 },
  ]);
  assert.equal(set.categories[1], { id: 18, name: 'dog' });
});

test('coco: results file', () => {
  assert.equal(parseCocoResults('[{"image_id":1,"category_id":3,"bbox":[1,2,3,4],"score":0.5}]'), [
    { imageId: 1, classId: 3, box: [1, 2, 4, 6], score: 0.5 },
  ]);
});

test('coco: malformed input names the problem', () => {
  assert.throws(() => parseCocoAnnotations('{'), /not valid JSON/);
  assert.throws(() => parseCocoAnnotations('[]'), /expected an object with "images"/);
  assert.throws(
    () =>
      parseCocoAnnotations({
        images: [],
        annotations: [{ image_id: 1, category_id: 1, bbox: [1, 2] }],
      }),
    /annotations\[0\]\.bbox must be \[x, y, width, height\]/,
  );
});

// ---------------------------------------------------------------- YOLO
test('yolo: normalized centre/size to pixels; polygons become their bounding box', () => {
  const text = '0 0.5 0.5 0.25 0.5\n\n  3 0.1 0.2 0.3 0.2 0.2 0.6  \r\n';
  assert.equal(parseYoloLabels(text, { width: 200, height: 100 }, 'img.jpg'), [
    { imageId: 'img.jpg', classId: 0, box: [75, 25, 125, 75] },
    { imageId: 'img.jpg', classId: 3, box: [20, 20, 60, 60] },
  ]);
});

test('yolo: a bad line is an error with file and line number', () => {
  assert.throws(
    () =>
      parseYoloLabels(
        '0 0.5 0.5 0.1 0.1\n1 0.5 oops 0.1 0.1\n',
        { width: 1, height: 1 },
        'x',
        'a.txt',
      ),
    /a\.txt:2: expected "class cx cy w h"/,
  );
});

test('yolo: default label path swaps images/ for labels/ and the extension', () => {
  assert.is(
    defaultLabelPath('/data/coco8/images/val/000042.jpg'),
    '/data/coco8/labels/val/000042.txt',
  );
  assert.is(defaultLabelPath('shots/a.png'), 'shots/a.txt');
});

test('yolo: dataset from files with sizeOf; an image without a label file has no objects', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fw-yolo-'));
  try {
    await mkdir(join(dir, 'images'), { recursive: true });
    await mkdir(join(dir, 'labels'), { recursive: true });
    await writeFile(join(dir, 'labels', 'a.txt'), '1 0.5 0.5 0.5 0.5\n');
    const images = [join(dir, 'images', 'a.jpg'), join(dir, 'images', 'b.jpg')];
    const asked: string[] = [];
    const set = await loadYoloDataset({
      images,
      names: ['cat', 'dog'],
      sizeOf: async (p) => {
        asked.push(p);
        return { width: 640, height: 480 };
      },
    });
    assert.equal(asked, images);
    assert.equal(set.annotations, [{ imageId: images[0], classId: 1, box: [160, 120, 480, 360] }]);
    assert.is(set.images.length, 2);
    assert.equal(set.categories, [
      { id: 0, name: 'cat' },
      { id: 1, name: 'dog' },
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------- XML + VOC
test('xml: elements, attributes, entities, CDATA, comments, declarations, self-closing tags', () => {
  const el = parseXml(
    `<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE x>\n<!-- note -->
     <a k="1 &amp; 2" j='q'><b>x &lt; y &#65;&#x42;</b><c/><d><![CDATA[<raw>]]></d></a>`,
  );
  assert.is(el.name, 'a');
  assert.equal(el.attributes, { k: '1 & 2', j: 'q' });
  assert.equal(
    el.children.map((c) => [c.name, c.text]),
    [
      ['b', 'x < y AB'],
      ['c', ''],
      ['d', '<raw>'],
    ],
  );
});

test('xml: malformed documents are errors, not partial trees', () => {
  assert.throws(() => parseXml('<a><b></a>'), /<\/a> does not close <b>/);
  assert.throws(() => parseXml('<a>'), /<a> is never closed/);
  assert.throws(() => parseXml('<a></a><b></b>'), /one root element/);
  assert.throws(() => parseXml('<a><!-- open </a>'), /unterminated comment/);
});

const vocXml = `<annotation>
  <folder>VOC2007</folder>
  <filename>000005.jpg</filename>
  <size><width>500</width><height>375</height><depth>3</depth></size>
  <object>
    <name>chair</name><pose>Rear</pose><truncated>0</truncated><difficult>0</difficult>
    <bndbox><xmin>263</xmin><ymin>211</ymin><xmax>324</xmax><ymax>339</ymax></bndbox>
  </object>
  <object>
    <name>chair</name><difficult>1</difficult>
    <bndbox>
      <xmin> 1 </xmin><ymin>1</ymin><xmax>1</xmax><ymax>1</ymax>
    </bndbox>
  </object>
</annotation>`;

test('voc: 1-based inclusive pixels become continuous edges; difficult flagged', () => {
  const a = parseVocXml(vocXml);
  assert.equal(a, {
    file: '000005.jpg',
    width: 500,
    height: 375,
    objects: [
      { name: 'chair', box: [262, 210, 324, 339], difficult: false },
      // a single-pixel object has width and height 1
      { name: 'chair', box: [0, 0, 1, 1], difficult: true },
    ],
  });
});

test('voc: errors name the file and the problem', () => {
  assert.throws(
    () => parseVocXml('<annotation><object><name>x</name></object></annotation>', 'a.xml'),
    /a\.xml: object 1 has no valid <bndbox>/,
  );
  assert.throws(() => parseVocXml('<foo/>', 'b.xml'), /b\.xml: root element is <foo>/);
  assert.throws(
    () => parseVocXml('<annotation>', 'c.xml'),
    /c\.xml: XML: <annotation> is never closed/,
  );
});

test('voc: dataset uses the 20 VOC classes; difficult objects become ignored regions', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fw-voc-'));
  try {
    const file = join(dir, '000005.xml');
    await writeFile(file, vocXml);
    const set = await loadVocDataset({ files: [file] });
    assert.is(set.categories.length, 20);
    assert.is(set.categories[8]!.name, 'chair');
    assert.equal(set.annotations, [
      { imageId: '000005.jpg', classId: 8, box: [262, 210, 324, 339] },
      { imageId: '000005.jpg', classId: 8, box: [0, 0, 1, 1], ignore: true },
    ]);
    assert.equal(set.images, [{ id: '000005.jpg', file: '000005.jpg', width: 500, height: 375 }]);
    const custom = await loadVocDataset({ files: [file], classNames: ['table', 'chair'] });
    assert.is(custom.annotations[0]!.classId, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
