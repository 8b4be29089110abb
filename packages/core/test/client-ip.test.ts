import {
  TrustedProxies,
  configurePortcullis,
  getContext,
  ipSubnetKey,
  normalizeIp,
  resolveClientIp,
} from '@portcullis/core';
import { connectClient, startServer } from '@portcullis/testing';

describe('normalizeIp', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::FFFF:7f00:1', '127.0.0.1'],
    ['[2001:DB8:0:0:0:0:0:1]', '2001:db8::1'],
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::1', '::1'],
    ['::', '::'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeIp(input)).toBe(expected);
  });

  it.each([
    ['not-an-ip'],
    ['1.2.3.256'],
    [''],
    ['1:2:3:4:5:6:7:8:9'],
    ['x'.repeat(1000)],
    [42],
    [null],
  ])('rejects %p without throwing', (input) => {
    expect(normalizeIp(input)).toBeUndefined();
  });
});

describe('ipSubnetKey', () => {
  it('keys IPv6 by /64 so one host cannot rotate addresses', () => {
    expect(ipSubnetKey('2001:db8:1:2:aaaa::1')).toBe(ipSubnetKey('2001:db8:1:2:bbbb::7'));
    expect(ipSubnetKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(ipSubnetKey('2001:db8:1:3::1')).not.toBe(ipSubnetKey('2001:db8:1:2::1'));
    expect(ipSubnetKey('2001:db8:1:2::1', 48)).toBe('2001:db8:1::/48');
    expect(ipSubnetKey('203.0.113.9')).toBe('203.0.113.9');
  });
});

describe('resolveClientIp', () => {
  const proxies = new TrustedProxies(['10.0.0.0/8', 'loopback']);

  it('ignores X-Forwarded-For from an untrusted peer', () => {
    expect(resolveClientIp('198.51.100.7', '1.1.1.1', proxies)).toBe('198.51.100.7');
    expect(resolveClientIp('198.51.100.7', '1.1.1.1', new TrustedProxies())).toBe('198.51.100.7');
  });

  it('walks right to left past trusted proxies and stops at the first untrusted hop', () => {
    // The client prepended a spoofed 6.6.6.6; the first untrusted hop from the right wins.
    expect(resolveClientIp('10.0.0.2', '6.6.6.6, 203.0.113.5, 10.0.0.9', proxies)).toBe(
      '203.0.113.5',
    );
    expect(resolveClientIp('::ffff:10.0.0.2', ['6.6.6.6', '203.0.113.5'], proxies)).toBe(
      '203.0.113.5',
    );
  });

  it('handles ports, IPv6 and all-trusted chains', () => {
    expect(resolveClientIp('10.0.0.2', '[2001:db8::1]:443', proxies)).toBe('2001:db8::1');
    expect(resolveClientIp('10.0.0.2', '203.0.113.5:5678', proxies)).toBe('203.0.113.5');
    expect(resolveClientIp('10.0.0.2', '10.0.0.3, 10.0.0.4', proxies)).toBe('10.0.0.3');
  });

  it('never throws on bad headers and keeps the last vouched-for address', () => {
    expect(resolveClientIp('10.0.0.2', 'garbage', proxies)).toBe('10.0.0.2');
    expect(resolveClientIp('10.0.0.2', '203.0.113.5, <script>', proxies)).toBe('10.0.0.2');
    expect(resolveClientIp('10.0.0.2', ',,,', proxies)).toBe('10.0.0.2');
    expect(resolveClientIp('10.0.0.2', 'a'.repeat(100_000), proxies)).toBe('10.0.0.2');
    expect(resolveClientIp('10.0.0.2', { toString: 'x' }, proxies)).toBe('10.0.0.2');
    expect(resolveClientIp(undefined, '1.2.3.4', proxies)).toBe('unknown');
  });

  it('refuses invalid proxy entries at set-up with a message', () => {
    expect(() => new TrustedProxies(['10.0.0.0/33'])).toThrow(/invalid prefix/);
    expect(() => new TrustedProxies(['proxy.internal'])).toThrow(/not an IP address/);
  });
});

describe('client IP through a real handshake', () => {
  async function ipSeenBy(trustedProxies: string[] | undefined, forwardedFor: string) {
    let ip = '';
    const server = await startServer({
      setup(io) {
        configurePortcullis(io, trustedProxies ? { trustedProxies } : {});
        io.use((socket, next) => {
          ip = getContext(socket).ip;
          next();
        });
      },
    });
    await connectClient(server.url, { extraHeaders: { 'x-forwarded-for': forwardedFor } });
    return ip;
  }

  it('does not believe a spoofed X-Forwarded-For by default', async () => {
    expect(await ipSeenBy(undefined, '6.6.6.6')).toBe('127.0.0.1');
  });

  it('believes a trusted loopback proxy, right to left', async () => {
    expect(await ipSeenBy(['loopback'], '6.6.6.6, 203.0.113.5')).toBe('203.0.113.5');
  });

  it('survives a malformed header from a trusted proxy', async () => {
    expect(await ipSeenBy(['loopback'], '203.0.113.5, not-an-ip')).toBe('127.0.0.1');
  });
});
