import type { ComponentStatus, IncidentStatus } from '../status/vocabulary';

export interface TimelineText {
  day: 18 | 19;
  hour: number;
  minute: number;
  status: Exclude<IncidentStatus, 'postmortem'>;
  /** New status of the web app, API and mobile apps, when this entry changed it. */
  components?: ComponentStatus;
  /** Minutes after the time it carries that the update was published; at that time when left out. */
  postedAfterMinutes?: number;
  body: string;
  /** The same entry in Japanese. */
  ja: string;
}

/**
 * The June 18, 2018 renewal outage, retold for the demo. Times are Japan
 * Standard Time. Each entry was posted on the status page as it happened (the
 * first one a few minutes after the slowdown it reports), so the page was
 * silent from 18:10 to 22:30: the postmortem's longest silence.
 */
export const JUNE_18 = {
  /** Fixed ids, so the demo postmortem in content/postmortems can name them. */
  incidentId: 'jun18renewal',
  maintenanceId: 'jun17mainten',
  name: 'Service unavailable after the renewal release',
  nameJa: 'リニューアル後にサービスが利用できなくなった障害',
  maintenance: {
    name: 'Renewal release: planned maintenance',
    nameJa: 'リニューアルのための計画メンテナンス',
    announcement:
      'We will release the renewed app, with a new design and new features, during the quietest hours of the week. The service is closed for the whole window; boards and cards are kept as they are.',
    announcementJa:
      '週のうちもっとも利用の少ない時間帯に、新しいデザインと機能を備えたリニューアル版を公開します。この時間帯はサービス全体を停止します。ボードとカードはそのまま残ります。',
    started: 'Maintenance mode is on and the renewal work has begun.',
    startedJa: 'メンテナンスモードに切り替え、リニューアル作業を始めました。',
    completed: 'The renewal work finished on schedule and the service reopened at 06:00 with the new version.',
    completedJa: 'リニューアル作業は予定どおり終わり、06:00 に新しいバージョンでサービスを再開しました。',
  },
  timeline: [
    {
      day: 18,
      hour: 7,
      minute: 0,
      status: 'investigating',
      components: 'degraded_performance',
      // Noticing the slowdown and writing the first word took six minutes.
      postedAfterMinutes: 6,
      body: 'As Monday-morning traffic grew after the renewal release, pages and the apps began to respond slowly.',
      ja: 'リニューアル後、月曜朝のアクセスが増えるにつれて、ページとアプリの応答が遅くなりました。',
    },
    {
      day: 18,
      hour: 8,
      minute: 0,
      status: 'investigating',
      components: 'major_outage',
      body: 'The service stopped responding. The web app and the mobile apps could not be reached.',
      ja: 'サービスが応答しなくなりました。Web アプリとモバイルアプリに接続できない状態です。',
    },
    {
      day: 18,
      hour: 9,
      minute: 0,
      status: 'investigating',
      body: 'We saw an unusually large volume of network traffic and started investigating where it came from.',
      ja: '通常と比べて非常に多いネットワークトラフィックを確認し、発生元の調査を始めました。',
    },
    {
      day: 18,
      hour: 10,
      minute: 0,
      status: 'identified',
      body: 'We traced the flood of requests to one part of the new application code.',
      ja: '大量のリクエストの発生元が、新しいアプリケーションコードの一部であることを突き止めました。',
    },
    {
      day: 18,
      hour: 11,
      minute: 0,
      status: 'identified',
      body: 'We put the service back into maintenance mode so we could investigate without live traffic.',
      ja: '通常のアクセスがない状態で調査するため、サービスを再びメンテナンスモードにしました。',
    },
    {
      day: 18,
      hour: 11,
      minute: 30,
      status: 'identified',
      body: 'A code fix for the request flood is being written.',
      ja: '大量のリクエストを止めるコードの修正を作成しています。',
    },
    { day: 18, hour: 14, minute: 0, status: 'identified', body: 'Testing of the fix has started.', ja: '修正の検証を始めました。' },
    { day: 18, hour: 16, minute: 0, status: 'identified', body: 'The fix works on the test server.', ja: 'テスト用サーバーで修正の効果を確認しました。' },
    {
      day: 18,
      hour: 17,
      minute: 0,
      status: 'monitoring',
      components: 'operational',
      body: 'The fix is deployed to production and the service is open again. We are watching it closely.',
      ja: '修正を本番環境に反映し、サービスを再開しました。注意して経過を見ています。',
    },
    {
      day: 18,
      hour: 17,
      minute: 30,
      status: 'investigating',
      components: 'major_outage',
      body: 'The service became unreachable again shortly after reopening.',
      ja: '再開から間もなく、サービスに再び接続できなくなりました。',
    },
    {
      day: 18,
      hour: 18,
      minute: 0,
      status: 'investigating',
      body: 'The service is back in maintenance mode while we keep investigating.',
      ja: '調査を続けるため、サービスを再びメンテナンスモードにしています。',
    },
    {
      day: 18,
      hour: 18,
      minute: 10,
      status: 'investigating',
      body: 'Server metrics show a very heavy load on the cache server.',
      ja: 'サーバーの指標から、キャッシュサーバーに非常に高い負荷がかかっていることがわかりました。',
    },
    {
      day: 18,
      hour: 22,
      minute: 30,
      status: 'investigating',
      body: 'We are still investigating; the cause of the cache server load has not been found yet.',
      ja: '調査を続けていますが、キャッシュサーバーの負荷の原因はまだわかっていません。',
    },
    {
      day: 18,
      hour: 23,
      minute: 0,
      status: 'identified',
      body: 'We have decided to return to the version from before the renewal. The rollback has started.',
      ja: 'リニューアル前のバージョンに戻すことを決め、切り戻しを始めました。',
    },
    {
      day: 19,
      hour: 1,
      minute: 40,
      status: 'resolved',
      components: 'operational',
      body: 'The rollback is released and the service can be used again. We are sorry for the long interruption; a full report with the cause, what we are changing and compensation for paid plans will follow.',
      ja: '切り戻しを反映し、サービスを再びご利用いただけるようになりました。長時間ご不便をおかけし申し訳ありません。原因と対策、有料プランへの補償を記した報告を改めてお知らせします。',
    },
  ] satisfies TimelineText[] as TimelineText[],
};

/**
 * What the June 18 report promised, with how each promise went: the demo's
 * postmortem carries them as follow-ups. Days are in Japan Standard Time.
 */
export const JUNE_18_FOLLOW_UPS = [
  {
    en: 'Build a test environment whose database, application and cache servers match production, and load-test the renewal there at Monday-morning traffic.',
    ja: 'データベース・アプリケーション・キャッシュの各サーバーを本番と同じ仕様にした検証環境を作り、月曜朝と同じ規模の負荷でリニューアル版を試験します。',
    dueOn: '2018-07-31',
    done: '2018-07-27',
  },
  {
    en: 'Keep investigating what overloaded the cache server until the root cause is found, and publish what we learn.',
    ja: 'キャッシュサーバーに負荷が集中した原因を突き止めるまで調査を続け、わかったことを公表します。',
    dueOn: '2018-08-31',
    done: '2018-08-24',
  },
  {
    en: 'Release the renewal again only after the move to it has been shown to be safe in that test environment.',
    ja: 'その検証環境で移行が安全だと確かめられてから、リニューアル版をあらためて公開します。',
    dueOn: '2018-10-31',
    startedOn: '2018-07-30',
  },
  {
    en: 'Give every paid plan two months free (June 1 to July 31), new paid sign-ups in that period included, and refund June charges already billed from June 25.',
    ja: 'すべての有料プランを 2 か月分(6 月 1 日〜7 月 31 日)無料とし、期間中に有料プランを申し込まれたお客様も対象とします。請求済みの 6 月分は 6 月 25 日から返金します。',
    dueOn: '2018-06-25',
    done: '2018-06-25',
  },
] as const satisfies readonly { en: string; ja: string; dueOn: string; done?: string; startedOn?: string }[];

/** The slug of the demo's English report (content/postmortems), which the follow-ups are kept under. */
export const JUNE_18_POSTMORTEM = 'renewal-outage';
