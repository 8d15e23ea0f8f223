import { count } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { incidents, components } from '../../../db/schema';
import { createComponent } from '../components/create-component';
import { createComponentGroup } from '../components/create-component-group';
import { openIncident } from '../incidents/open-incident';
import { postIncidentUpdate } from '../incidents/post-update';
import { resolveIncident } from '../incidents/resolve-incident';
import { scheduleMaintenance } from '../incidents/schedule-maintenance';
import { runMaintenanceWindows } from '../incidents/run-maintenance-windows';
import type { ComponentStatus, IncidentStatus } from '../status/vocabulary';
import { addLocalDays, zonedTimeToUtc, HOUR, MINUTE } from '../time';
import { JUNE_18, JUNE_18_FOLLOW_UPS, JUNE_18_POSTMORTEM } from './june-18';
import { addFollowUp } from '../followups/add-follow-up';
import { changeFollowUp } from '../followups/change-follow-up';
import { loadPostmortems, type PostmortemSources } from '../postmortems/load-postmortems';
import { saveRule } from '../alerts/save-rule';
import { createCheck } from '../checks/save-check';
import { setSlaTargets } from '../uptime/sla-targets';

/** True when the database holds no components and no incidents yet. */
export function isDatabaseEmpty(db: Db): boolean {
  const c = db.select({ n: count() }).from(components).get()?.n ?? 0;
  const i = db.select({ n: count() }).from(incidents).get()?.n ?? 0;
  return c === 0 && i === 0;
}

type DemoComponents = Record<'web' | 'ios' | 'android' | 'api' | 'login' | 'notifications' | 'attachments' | 'integrations', string>;

function seedComponents(db: Db, now: number): DemoComponents {
  const ctx = { now };
  const since = Date.UTC(2014, 5, 1);
  const ja = (name: string, description: string) => ({ ja: { name, description } });
  const apps = createComponentGroup(
    db,
    { name: 'Apps', description: 'Where teams work on their boards', createdAt: since, translations: ja('アプリ', 'チームがボードで作業する場所') },
    ctx,
  ).groupId;
  const platform = createComponentGroup(
    db,
    { name: 'Platform', description: 'Services every app depends on', createdAt: since, translations: ja('基盤', 'すべてのアプリが使うサービス') },
    ctx,
  ).groupId;
  const add = (name: string, description: string, groupId: string | null, translations: ReturnType<typeof ja>, onlyShowIfDegraded = false) =>
    createComponent(db, { name, description, groupId, onlyShowIfDegraded, createdAt: since, translations }, ctx).componentId;
  return {
    web: add('Web app', 'Boards, cards and sticky notes in the browser', apps, ja('Web アプリ', 'ブラウザで使うボード・カード・付箋')),
    ios: add('iOS app', 'The iPhone and iPad app', apps, ja('iOS アプリ', 'iPhone・iPad 用アプリ')),
    android: add('Android app', 'The Android phone and tablet app', apps, ja('Android アプリ', 'Android のスマートフォン・タブレット用アプリ')),
    api: add('API', 'The public REST API and the apps’ back end', platform, ja('API', '公開 REST API とアプリのバックエンド')),
    login: add('Sign-in', 'Accounts, single sign-on and sessions', platform, ja('ログイン', 'アカウント、シングルサインオン、セッション')),
    notifications: add('Notifications', 'Email digests and push notifications', platform, ja('通知', 'メールのまとめとプッシュ通知')),
    attachments: add(
      'File attachments',
      'Uploading and previewing files on cards',
      platform,
      ja('ファイル添付', 'カードへのファイルのアップロードとプレビュー'),
    ),
    integrations: add(
      'Calendar and chat integrations',
      'Sync with calendars and chat tools',
      null,
      ja('カレンダー・チャット連携', 'カレンダーやチャットツールとの同期'),
      true,
    ),
  };
}

/**
 * The June 18 outage as it was run on the page: each update is published
 * (its `createdAt`) when it was posted, so the postmortem's figures about what
 * customers heard, and when, come out of the log as they would for a live one.
 */
function seedJune18(db: Db, c: DemoComponents): void {
  const jst = (month: number, day: number, hour: number, minute = 0) => zonedTimeToUtc(2018, month, day, hour, minute, 'Asia/Tokyo');
  const service = [c.web, c.api, c.ios, c.android];
  const set = (status: ComponentStatus) => service.map((componentId) => ({ componentId, status }));

  const { incidentId: maintenanceId } = scheduleMaintenance(
    db,
    {
      name: JUNE_18.maintenance.name,
      body: JUNE_18.maintenance.announcement,
      componentIds: service,
      scheduledFor: jst(6, 17, 22),
      scheduledUntil: jst(6, 18, 6),
      autoTransitions: false,
      id: JUNE_18.maintenanceId,
      translations: { ja: { name: JUNE_18.maintenance.nameJa, body: JUNE_18.maintenance.announcementJa } },
    },
    { now: jst(6, 11, 12) },
  );
  postIncidentUpdate(
    db,
    maintenanceId,
    {
      status: 'in_progress',
      body: JUNE_18.maintenance.started,
      displayAt: jst(6, 17, 22),
      components: set('under_maintenance'),
      translations: { ja: { body: JUNE_18.maintenance.startedJa } },
    },
    { now: jst(6, 17, 22) },
  );
  resolveIncident(
    db,
    maintenanceId,
    { body: JUNE_18.maintenance.completed, displayAt: jst(6, 18, 6), translations: { ja: { body: JUNE_18.maintenance.completedJa } } },
    { now: jst(6, 18, 6) },
  );

  const [first, ...rest] = JUNE_18.timeline;
  const at = (e: (typeof JUNE_18.timeline)[number]) => jst(6, e.day, e.hour, e.minute);
  const posted = (e: (typeof JUNE_18.timeline)[number]) => ({ now: at(e) + (e.postedAfterMinutes ?? 0) * MINUTE });
  const { incidentId } = openIncident(
    db,
    {
      id: JUNE_18.incidentId,
      name: JUNE_18.name,
      translations: { ja: { name: JUNE_18.nameJa, body: first!.ja } },
      status: first!.status,
      body: first!.body,
      displayAt: at(first!),
      // Impact began when the service reopened at 06:00; the first update, about the slowdown at 07:00, went out at 07:06.
      startedAt: jst(6, 18, 6),
      components: set(first!.components ?? 'operational'),
    },
    posted(first!),
  );
  for (const entry of rest) {
    const components = entry.components ? set(entry.components) : [];
    const translations = { ja: { body: entry.ja } };
    if (entry.status === 'resolved') {
      resolveIncident(db, incidentId, { body: entry.body, displayAt: at(entry), translations }, posted(entry));
    } else {
      postIncidentUpdate(db, incidentId, { status: entry.status, body: entry.body, displayAt: at(entry), components, translations }, posted(entry));
    }
  }
}

interface RecentIncident {
  daysAgo: number;
  hour: number;
  minute: number;
  name: string;
  nameJa: string;
  components: (keyof DemoComponents)[];
  status: ComponentStatus;
  steps: { afterMinutes: number; status: Exclude<IncidentStatus, 'postmortem'>; body: string; ja: string }[];
}

const RECENT: RecentIncident[] = [
  {
    daysAgo: 3,
    hour: 9,
    minute: 12,
    name: 'Push notifications delayed on Android',
    nameJa: 'Android のプッシュ通知の遅延',
    components: ['android', 'notifications'],
    status: 'degraded_performance',
    steps: [
      {
        afterMinutes: 0,
        status: 'investigating',
        body: 'Push notifications to Android devices are arriving up to 20 minutes late. Email digests are not affected. We are looking into it.',
        ja: 'Android 端末へのプッシュ通知が最大 20 分遅れて届いています。メールのダイジェストには影響ありません。調査しています。',
      },
      {
        afterMinutes: 35,
        status: 'identified',
        body: 'A queue that feeds the Android push service fell behind after a configuration change. We have reverted the change and the queue is draining.',
        ja: '設定変更のあと、Android のプッシュ通知サービスへ送るキューが滞っていました。変更を元に戻し、キューは解消に向かっています。',
      },
      {
        afterMinutes: 70,
        status: 'monitoring',
        body: 'The backlog is cleared and new notifications arrive within seconds. We are watching the queue for the next hour.',
        ja: '滞っていた通知はすべて送られ、新しい通知は数秒で届いています。この 1 時間はキューを見守ります。',
      },
      {
        afterMinutes: 100,
        status: 'resolved',
        body: 'Notifications have been on time for over half an hour. This incident is resolved.',
        ja: '30 分以上、通知は遅れずに届いています。この障害は解決しました。',
      },
    ],
  },
  {
    daysAgo: 11,
    hour: 14,
    minute: 3,
    name: 'File uploads failing',
    nameJa: 'ファイルをアップロードできない障害',
    components: ['attachments'],
    status: 'partial_outage',
    steps: [
      {
        afterMinutes: 0,
        status: 'investigating',
        body: 'Some uploads to cards fail with an error. Existing attachments can still be opened. We are investigating.',
        ja: 'カードへのアップロードの一部がエラーで失敗しています。すでにある添付ファイルは開けます。調査しています。',
      },
      {
        afterMinutes: 25,
        status: 'identified',
        body: 'A storage node ran out of disk space. We are moving uploads to healthy nodes.',
        ja: 'ストレージノードの 1 台でディスクの空きがなくなりました。アップロード先を正常なノードに移しています。',
      },
      {
        afterMinutes: 55,
        status: 'resolved',
        body: 'Uploads work again. Files that failed during the incident need to be uploaded once more; nothing already stored was lost.',
        ja: 'アップロードできるようになりました。障害中に失敗したファイルはもう一度アップロードしてください。保存済みのデータは失われていません。',
      },
    ],
  },
  {
    daysAgo: 27,
    hour: 8,
    minute: 41,
    name: 'Sign-in errors for some accounts',
    nameJa: '一部のアカウントでサインインに失敗する障害',
    components: ['login', 'web'],
    status: 'partial_outage',
    steps: [
      {
        afterMinutes: 0,
        status: 'investigating',
        body: 'Some people see an error when signing in with single sign-on. Sessions that are already open keep working.',
        ja: 'シングルサインオンでサインインするとエラーになる方がいます。すでに開いているセッションはそのまま使えます。',
      },
      {
        afterMinutes: 50,
        status: 'identified',
        body: 'An identity provider rotated its signing certificate and our cache held the old one. We are refreshing it.',
        ja: 'ID プロバイダーが署名用の証明書を更新しましたが、こちらのキャッシュが古い証明書を持っていました。更新しています。',
      },
      {
        afterMinutes: 80,
        status: 'monitoring',
        body: 'Single sign-on works again for every provider we have tested. We are monitoring sign-in errors.',
        ja: '確認したすべてのプロバイダーでシングルサインオンが使えるようになりました。サインインのエラーを監視しています。',
      },
      {
        afterMinutes: 125,
        status: 'resolved',
        body: 'Sign-in error rates are back to normal. We now refresh certificates every hour instead of once a day.',
        ja: 'サインインのエラー率は通常に戻りました。今後は証明書を 1 日 1 回ではなく 1 時間ごとに更新します。',
      },
    ],
  },
  {
    daysAgo: 46,
    hour: 10,
    minute: 5,
    name: 'Slow board loading in the web app',
    nameJa: 'Web アプリでボードの読み込みが遅い障害',
    components: ['web', 'api'],
    status: 'degraded_performance',
    steps: [
      {
        afterMinutes: 0,
        status: 'investigating',
        body: 'Large boards take longer than usual to open in the browser. We are looking at database response times.',
        ja: '大きなボードをブラウザで開くのに普段より時間がかかっています。データベースの応答時間を調べています。',
      },
      {
        afterMinutes: 90,
        status: 'identified',
        body: 'A missing index after last night’s release slows down one query. We are adding it now.',
        ja: '昨夜のリリースでインデックスが 1 つ抜けており、あるクエリが遅くなっていました。いま追加しています。',
      },
      {
        afterMinutes: 180,
        status: 'resolved',
        body: 'The index is in place and boards open at their usual speed.',
        ja: 'インデックスを追加し、ボードはいつもの速さで開くようになりました。',
      },
    ],
  },
  {
    daysAgo: 64,
    hour: 19,
    minute: 22,
    name: 'API unavailable',
    nameJa: 'API が利用できない障害',
    components: ['api', 'web', 'ios', 'android'],
    status: 'major_outage',
    steps: [
      {
        afterMinutes: 0,
        status: 'investigating',
        body: 'The API answers every request with an error, so the web and mobile apps cannot load boards. We are on it.',
        ja: 'API がすべてのリクエストにエラーを返しているため、Web アプリとモバイルアプリでボードを読み込めません。対応しています。',
      },
      {
        afterMinutes: 18,
        status: 'identified',
        body: 'A load balancer lost its connection to the application servers after a network change. We are rolling the change back.',
        ja: 'ネットワークの変更のあと、ロードバランサーがアプリケーションサーバーに接続できなくなりました。変更を元に戻しています。',
      },
      {
        afterMinutes: 38,
        status: 'resolved',
        body: 'The network change is rolled back and every app works again. A postmortem will follow.',
        ja: 'ネットワークの変更を元に戻し、すべてのアプリが使えるようになりました。障害報告をあとで公開します。',
      },
    ],
  },
];

function seedRecent(db: Db, c: DemoComponents, now: number, timeZone: string): void {
  for (const r of RECENT) {
    const day = addLocalDays(now, -r.daysAgo, timeZone);
    const start = day + r.hour * HOUR + r.minute * MINUTE;
    const affected = r.components.map((k) => ({ componentId: c[k], status: r.status }));
    const [first, ...rest] = r.steps;
    const { incidentId } = openIncident(
      db,
      {
        name: r.name,
        status: first!.status,
        body: first!.body,
        displayAt: start,
        components: affected,
        translations: { ja: { name: r.nameJa, body: first!.ja } },
      },
      // Posted as it happened, as on a live page: the postmortem figures read when each update was published.
      { now: start },
    );
    for (const step of rest) {
      const displayAt = start + step.afterMinutes * MINUTE;
      const translations = { ja: { body: step.ja } };
      if (step.status === 'resolved') resolveIncident(db, incidentId, { body: step.body, displayAt, translations }, { now: displayAt });
      else postIncidentUpdate(db, incidentId, { status: step.status, body: step.body, displayAt, translations }, { now: displayAt });
    }
  }

  // A finished maintenance inside the 90-day strip, and one still to come.
  const pastStart = addLocalDays(now, -33, timeZone) + 2 * HOUR;
  scheduleMaintenance(
    db,
    {
      name: 'Database upgrade',
      body: 'We will upgrade the main database to a new major version. Boards are read-only for up to two hours; nothing you saved before the window is affected.',
      translations: {
        ja: {
          name: 'データベースのアップグレード',
          body: 'メインのデータベースを新しいメジャーバージョンに上げます。最大 2 時間、ボードは閲覧のみになります。時間帯の前に保存した内容には影響ありません。',
        },
      },
      componentIds: [c.web, c.api],
      scheduledFor: pastStart,
      scheduledUntil: pastStart + 2 * HOUR,
    },
    { now: pastStart - 7 * 24 * HOUR },
  );
  runMaintenanceWindows(db, now);

  const nextStart = addLocalDays(now, 5, timeZone) + 2 * HOUR;
  scheduleMaintenance(
    db,
    {
      name: 'Cache cluster replacement',
      body: 'We are replacing the cache servers with larger ones, sized after load tests that match production. The apps may be slow for a few minutes during the window.',
      translations: {
        ja: {
          name: 'キャッシュクラスターの入れ替え',
          body: '本番と同じ負荷の試験をもとに、キャッシュサーバーをより大きなものに入れ替えます。時間帯の中で数分間、アプリが遅くなることがあります。',
        },
      },
      componentIds: [c.web, c.api, c.ios, c.android],
      scheduledFor: nextStart,
      scheduledUntil: nextStart + 3 * HOUR,
    },
    { now },
  );

  // A repeating window: every week at the same local time, eight in all, each started, ended and reminded of on its own.
  const weeklyStart = addLocalDays(now, 2, timeZone) + 4 * HOUR;
  scheduleMaintenance(
    db,
    {
      name: 'Weekly search index rebuild',
      body: 'Each week we rebuild the search index overnight. Search may miss cards saved in the last few minutes until the rebuild ends; boards, cards and everything else work as usual.',
      translations: {
        ja: {
          name: '毎週の検索インデックス再構築',
          body: '毎週深夜に検索インデックスを作り直します。再構築が終わるまで、直前数分に保存したカードが検索に出ないことがあります。ボードやカードなど、そのほかの機能は通常どおり使えます。',
        },
      },
      componentIds: [c.web],
      scheduledFor: weeklyStart,
      scheduledUntil: weeklyStart + 30 * 60_000,
      repeat: 'weekly',
      repeatCount: 8,
      repeatTimeZone: timeZone,
    },
    { now },
  );
}

/** One rule to show how alerts become incidents: the API's alerts suggest a major outage of it. */
function seedAlertRule(db: Db, c: DemoComponents, now: number): void {
  saveRule(
    db,
    undefined,
    {
      name: 'API down',
      matchers: ['service="api"'],
      components: [{ componentId: c.api, status: 'major_outage' }],
      incidentStatus: 'investigating',
      impact: 'critical',
      action: 'suggest',
      notify: true,
      recovery: 'suggest',
      recoveryStatus: 'resolved',
      texts: {
        en: {
          name: 'The API is not responding',
          body: 'Requests to the API are failing ({{alert_name}}, since {{started_at}}), so the web and mobile apps cannot load boards. We are investigating.',
          recovery: 'The API has answered normally since {{ended_at}}. Boards load again in every app.',
        },
        ja: {
          name: 'API が応答していません',
          body: 'API へのリクエストが失敗しています({{alert_name}}、{{started_at}} から)。Web アプリとモバイルアプリでボードを読み込めません。調査しています。',
          recovery: '{{ended_at}} から API は正常に応答しています。すべてのアプリでボードを読み込めるようになりました。',
        },
      },
    },
    { now },
  );
}

/** Seeds the demo: components, the June 18 renewal outage, recent incidents and maintenance, an alert rule and a check. */
/**
 * The report's promises as follow-ups of the demo postmortem, owned by the
 * demo admin: added when the report was published, each moved on the day it
 * was worked on, so the feeds date each kept promise when it was kept.
 */
function seedJune18FollowUps(db: Db, postmortems: PostmortemSources, ownerId: string): void {
  const jst = (day: string, hour: number) => {
    const [y, m, d] = day.split('-').map(Number) as [number, number, number];
    return zonedTimeToUtc(y, m, d, hour, 0, 'Asia/Tokyo');
  };
  const site = { timeZone: 'Asia/Tokyo', defaultLocale: 'en' as const };
  // A site that ships without the demo's report has no report to attach them to.
  if (!loadPostmortems(postmortems).bySlug.has(JUNE_18_POSTMORTEM)) return;
  for (const promise of JUNE_18_FOLLOW_UPS) {
    const { id, version } = addFollowUp(
      db,
      postmortems,
      { postmortem: JUNE_18_POSTMORTEM, textEn: promise.en, textJa: promise.ja, dueOn: promise.dueOn, ownerId, public: true },
      { now: jst('2018-06-22', 12), site },
    );
    if ('done' in promise) changeFollowUp(db, postmortems, id, { status: 'done', closedOn: promise.done, version }, { now: jst(promise.done, 18), site });
    if ('startedOn' in promise) changeFollowUp(db, postmortems, id, { status: 'in_progress', version }, { now: jst(promise.startedOn, 10), site });
  }
}

/**
 * Seeds the demo. With the folders postmortems are read from and the demo
 * admin (a first start), the June 18 report also carries its follow-ups.
 */
export function seedDemo(db: Db, now: number, timeZone: string, siteUrl?: string, withFollowUps?: { postmortems: PostmortemSources; ownerId: string }): void {
  const c = seedComponents(db, now);
  // Every paid plan is promised 99.9 %: the page and each component are held to it.
  setSlaTargets(db, { page: '99.9', components: Object.fromEntries(Object.values(c).map((id) => [id, '99.9'])) }, { now });
  seedJune18(db, c);
  if (withFollowUps) seedJune18FollowUps(db, withFollowUps.postmortems, withFollowUps.ownerId);
  seedRecent(db, c, now, timeZone);
  seedAlertRule(db, c, now);
  // The demo checks its own API, so the checks screens have something to show from the first minute.
  if (siteUrl)
    createCheck(
      db,
      {
        name: 'Status API',
        kind: 'http',
        target: `${siteUrl}/api/v2/status.json`,
        intervalSeconds: 60,
        timeoutSeconds: 10,
        expectedStatus: '200',
        keyword: 'indicator',
        failuresBefore: 3,
        labels: 'service=api',
      },
      { now },
    );
}
