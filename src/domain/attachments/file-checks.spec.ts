import { checkFileName, contentTypeFor, inspectZip, sniffContent } from './file-checks';
import { EXE_BYTES, PNG_BYTES, pdfBytes, zipBomb, zipBytes } from '../../../test/support/files';

describe('attachment content checks', () => {
  it.each([
    ['pdf', pdfBytes(100)],
    ['png', PNG_BYTES],
    ['jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10])],
    ['gif', Buffer.from('GIF89a....')],
    ['tiff', Buffer.from([0x49, 0x49, 0x2a, 0x00, 1, 2])],
    ['zip', zipBytes([{ name: 'a.txt', data: Buffer.from('hello') }])],
    ['ole2', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0])],
    ['executable', EXE_BYTES],
    ['executable', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1])],
    ['executable', Buffer.from('#!/bin/sh\nrm -rf /\n')],
    ['unknown', Buffer.from('plain text')],
  ])('reads %s from the first bytes', (family, bytes) => {
    expect(sniffContent(bytes)).toBe(family);
  });

  it('refuses a program whatever its name, and a name that does not match the content', () => {
    expect(contentTypeFor('executable', '答复.pdf')).toEqual({ ok: false, message: '不能上传可执行程序或脚本。' });
    expect(contentTypeFor('png', '答复.pdf')).toMatchObject({ ok: false, message: expect.stringContaining('不符') });
    expect(contentTypeFor('pdf', '答复.PDF')).toEqual({ ok: true, value: 'application/pdf' });
    expect(contentTypeFor('zip', '表格.xlsx')).toMatchObject({ ok: true });
    expect(contentTypeFor('unknown', 'a.txt')).toMatchObject({ ok: false });
  });

  it.each([
    ['../../etc/passwd.pdf', false],
    ['a\u0000b.pdf', false],
    ['bad\nname.pdf', false],
    ['名字\u202egpj.pdf', false],
    ['C:\\fakepath\\答复告知书.pdf', true],
    ['答复告知书.pdf', true],
    ['', false],
  ])('file name %j accepted: %s', (name, ok) => {
    expect(checkFileName(name).ok).toBe(ok);
  });

  it('reads a ZIP from its central directory alone and refuses a declared bomb', () => {
    const plain = zipBytes([{ name: 'a.txt', data: Buffer.from('hello world') }]);
    expect(inspectZip(plain, plain.length)).toEqual({ ok: true, value: { entries: 1, unpackedBytes: 11, names: ['a.txt'] } });
    const bomb = zipBomb();
    expect(inspectZip(bomb, bomb.length)).toMatchObject({ ok: false, message: expect.stringContaining('压缩炸弹') });
    // Only the tail is handed over: the directory must lie in it.
    expect(inspectZip(bomb.subarray(bomb.length - 40), bomb.length)).toMatchObject({ ok: false });
    expect(inspectZip(Buffer.from('PK\u0003\u0004 no end record'), 20)).toMatchObject({ ok: false, message: expect.stringContaining('损坏') });
  });
});
