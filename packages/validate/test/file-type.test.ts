import Joi from 'joi';
import { connectClient, emitWithAck } from '@portcullis/testing';
import { FILE_KINDS, detectFileType, fileType } from '../src';
import { serverWith } from './helpers';

// Small real files: a 1x1 PNG and a 1x1 GIF, and headers of the other kinds.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const GIF = Buffer.from('R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==', 'base64');
const JPEG = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
  Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1'),
  Buffer.from([0xff, 0xd9]),
]);
const WEBP = Buffer.concat([
  Buffer.from('RIFF', 'latin1'),
  Buffer.from([0x1a, 0, 0, 0]),
  Buffer.from('WEBPVP8L\x0d\0\0\0\x2f\0\0\0\x10\x07\x10\x11\x11\x88\x88\xfe\x07\0', 'latin1'),
]);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n', 'latin1');
const HTML = Buffer.from('<html><script>alert(document.cookie)</script></html>');
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');
const EXE = Buffer.from('MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff', 'latin1');

const schemas = {
  'avatar:upload': Joi.object({
    name: Joi.string().max(255),
    type: Joi.string().max(100),
    data: fileType(['png', 'jpeg'])
      .max(64 * 1024)
      .required(),
  }),
  'sticker:upload': fileType(['webp', 'gif']),
  'document:upload': [Joi.string().max(255), fileType(['pdf'])],
};
const EVENTS = Object.keys(schemas);

interface Reply {
  ok?: boolean;
  error?: { code: string; details: { path: string; type: string }[] };
}

describe('detectFileType', () => {
  it('recognises each kind by its magic number', () => {
    expect(FILE_KINDS).toEqual(['png', 'jpeg', 'gif', 'webp', 'pdf']);
    expect([PNG, JPEG, GIF, WEBP, PDF].map(detectFileType)).toEqual([
      'png',
      'jpeg',
      'gif',
      'webp',
      'pdf',
    ]);
  });

  it('recognises nothing in markup, executables, truncated or shifted signatures', () => {
    for (const bytes of [
      HTML,
      SVG,
      EXE,
      Buffer.alloc(0),
      PNG.subarray(0, 4),
      Buffer.concat([Buffer.from([0]), PNG]),
      Buffer.from('RIFF\0\0\0\0WAVEfmt ', 'latin1'),
    ]) {
      expect(detectFileType(bytes)).toBeUndefined();
    }
  });

  it('refuses an unknown kind or an empty list at set-up', () => {
    expect(() => fileType([])).toThrow(
      expect.objectContaining({
        code: 'PORTCULLIS_CONFIG_OUT_OF_RANGE',
        message: expect.stringMatching(/^fileType: kinds: must be an array of .* with at least 1/),
      }),
    );
    expect(() => fileType(['png', 'svg' as 'png'])).toThrow(
      expect.objectContaining({
        code: 'PORTCULLIS_CONFIG_INVALID_TYPE',
        message:
          'fileType: kinds[1]: must be "png" or "jpeg" or "gif" or "webp" or "pdf"; got a string.',
      }),
    );
  });
});

describe('validateGuard with fileType', () => {
  it('accepts the allowed kinds, whatever name and content type the client declares', async () => {
    const { server, received } = await serverWith(schemas, EVENTS);
    const client = await connectClient(server.url);
    const png = await emitWithAck(client, 'avatar:upload', {
      name: 'me.png',
      type: 'image/png',
      data: PNG,
    });
    const jpegNamedPng = await emitWithAck(client, 'avatar:upload', {
      name: 'me.png',
      type: 'image/png',
      data: JPEG,
    });
    expect(png).toMatchObject({ ok: true });
    expect(jpegNamedPng).toMatchObject({ ok: true });
    expect(await emitWithAck(client, 'sticker:upload', WEBP)).toMatchObject({ ok: true });
    expect(await emitWithAck(client, 'sticker:upload', GIF)).toMatchObject({ ok: true });
    expect(await emitWithAck(client, 'document:upload', 'report.pdf', PDF)).toMatchObject({
      ok: true,
    });
    expect(received).toHaveLength(5);
    const first = received[0]?.args[0] as { data: Buffer };
    expect(Buffer.isBuffer(first.data) && first.data.equals(PNG)).toBe(true);
  });

  it.each([
    ['a GIF named avatar.png', { name: 'avatar.png', type: 'image/png', data: GIF }],
    ['HTML with a script named avatar.png', { name: 'avatar.png', type: 'image/png', data: HTML }],
    ['an SVG with onload named avatar.jpg', { name: 'avatar.jpg', type: 'image/jpeg', data: SVG }],
    [
      'a Windows executable named avatar.jpeg',
      { name: 'avatar.jpeg', type: 'image/jpeg', data: EXE },
    ],
    ['a PDF named avatar.png', { name: 'avatar.png', type: 'image/png', data: PDF }],
    [
      'a PNG cut after four bytes',
      { name: 'avatar.png', type: 'image/png', data: PNG.subarray(0, 4) },
    ],
    ['an empty file', { name: 'avatar.png', type: 'image/png', data: Buffer.alloc(0) }],
    [
      'a PNG sent as base64 text',
      { name: 'avatar.png', type: 'image/png', data: PNG.toString('base64') },
    ],
  ])('refuses %s with binary.fileType', async (_name, payload) => {
    const { server, received } = await serverWith(schemas, EVENTS);
    const client = await connectClient(server.url);
    const reply = (await emitWithAck(client, 'avatar:upload', payload)) as Reply;
    expect(reply.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'data', type: 'binary.fileType' }],
    });
    expect(received).toEqual([]);
  });

  it('checks the file of a chosen argument and leaves the joi limits of the schema in force', async () => {
    const { server, received } = await serverWith(schemas, EVENTS);
    const client = await connectClient(server.url);
    const png = (await emitWithAck(client, 'document:upload', 'report.pdf', PNG)) as Reply;
    expect(png.error?.details).toEqual([{ path: '[1]', type: 'binary.fileType' }]);
    const sticker = (await emitWithAck(client, 'sticker:upload', PNG)) as Reply;
    expect(sticker.error?.details).toEqual([{ path: '', type: 'binary.fileType' }]);
    const big = Buffer.concat([PNG, Buffer.alloc(64 * 1024)]);
    const tooBig = (await emitWithAck(client, 'avatar:upload', { data: big })) as Reply;
    expect(tooBig.error?.details).toEqual([{ path: 'data', type: 'binary.max' }]);
    expect(received).toEqual([]);
  });
});
