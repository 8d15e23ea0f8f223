import { describe, expect, it } from 'vitest';
import { formatLabelLines, parseCheckUrl, parseExpectedStatus, parseHostPort } from '../../src/lib/checks/check-input';
import { describeFailure } from '../../src/lib/checks/check-failure';
import { checkChartSvg } from '../../src/lib/checks/check-chart-svg';
import type { ChartBucket } from '../../src/lib/checks/check-views';

describe('what a check is made of', () => {
  it('reads an expected status as one status or a range, low to high', () => {
    expect(parseExpectedStatus('200')).toEqual({ low: 200, high: 200 });
    expect(parseExpectedStatus(' 200 - 399 ')).toEqual({ low: 200, high: 399 });
    expect(parseExpectedStatus('399-200')).toBeNull();
    expect(parseExpectedStatus('2xx')).toBeNull();
    expect(parseExpectedStatus('600')).toBeNull();
  });

  it('reads host:port, with IPv6 in brackets, and refuses ports out of range', () => {
    expect(parseHostPort('db.example.com:5432')).toEqual({ host: 'db.example.com', port: 5432 });
    expect(parseHostPort('[::1]:6379')).toEqual({ host: '::1', port: 6379 });
    expect(parseHostPort('127.0.0.1:0')).toBeNull();
    expect(parseHostPort('127.0.0.1:70000')).toBeNull();
    expect(parseHostPort('[db.example.com]:5432')).toBeNull();
    expect(parseHostPort('db.example.com')).toBeNull();
  });

  it('takes http and https URLs only, without credentials in them', () => {
    expect(parseCheckUrl('https://api.example.com/health')?.hostname).toBe('api.example.com');
    expect(parseCheckUrl('http://127.0.0.1:8080/')?.port).toBe('8080');
    expect(parseCheckUrl('ftp://example.com/')).toBeNull();
    expect(parseCheckUrl('https://user:secret@example.com/')).toBeNull();
    expect(parseCheckUrl('not a url')).toBeNull();
  });

  it('writes labels back as the lines staff typed', () => {
    expect(formatLabelLines({ service: 'api', team: 'payments' })).toBe('service=api\nteam=payments');
  });

  it('says a stored failure in each language, and shows text it does not know as it is', () => {
    const stored = JSON.stringify({ code: 'dns', host: 'api.internal' });
    expect(describeFailure('en', stored)).toBe('The host name api.internal was not found');
    expect(describeFailure('ja', stored)).toBe('ホスト名 api.internal が見つかりません');
    expect(describeFailure('en', 'socket hang up')).toBe('socket hang up');
    expect(describeFailure('en', null)).toBe('');
  });
});

describe('the response time chart', () => {
  const DAY = 86_400_000;
  const start = Date.UTC(2026, 10, 1, 15);
  const buckets: ChartBucket[] = Array.from({ length: 90 }, (_, i) => ({
    start: start + i * DAY,
    end: start + (i + 1) * DAY,
    runs: i === 3 ? 0 : 10,
    failures: i === 50 ? 4 : 0,
    avgMs: i === 3 ? null : 100 + i,
    maxMs: i === 3 ? null : 200 + i,
  }));

  it('draws a wide and a narrow figure with the zone named on the axis and a summary for screen readers', () => {
    const svg = checkChartSvg(buckets, '90d', 'en', 'Asia/Tokyo');
    expect(svg.match(/<svg /g)).toHaveLength(2);
    expect(svg).toContain('Days in Asia/Tokyo (');
    expect(svg).toContain('aria-label="Last 90 days: runs 890, failed 4;');
    // Four failed runs of ten: a bar in each drawing.
    expect(svg.match(/class="chart-fail"/g)).toHaveLength(2);
    // The line breaks at the day without runs: two pieces in each drawing.
    expect(svg.match(/<path d="M[^"]*M[^"]*" class="chart-line"/g)).toHaveLength(2);
    expect(svg).toContain('no runs');
  });

  it('says it in Japanese too, ticks without the year', () => {
    const svg = checkChartSvg(buckets, '90d', 'ja', 'Asia/Tokyo');
    expect(svg).toContain('Asia/Tokyo (GMT+9) の日付');
    expect(svg).toContain('>1/30<');
    expect(svg).toContain('過去 90 日:890 回実行、4 回失敗');
  });
});
