// Japanese for the messages the domain raises in English. The verbs keep one
// language; forms and pages translate what they show at the edge, and fall
// back to the English text for anything not listed here.
import type { Locale } from './messages';

const JA: Record<string, string> = {
  'Give it a name.': '名前を入力してください。',
  'Write what is happening.': '状況を入力してください。',
  'Give a date and time.': '日時を入力してください。',
  'Give a date after 2000.': '2000 年以降の日付を入力してください。',
  'Give a date and time such as 2018-06-18 06:00.': '2018-06-18 06:00 のような日時を入力してください。',
  'An update cannot be dated in the future; leave it empty for now, or pick a past time.': '報告の時刻は未来にできません。空欄(現在時刻)にするか、過去の時刻を選んでください。',
  'An update cannot be dated in the future.': '報告の時刻は未来にできません。',
  'The window must end after it starts.': '終了は開始より後にしてください。',
  'Pick a component from the list.': '一覧からコンポーネントを選んでください。',
  'Pick one of the component statuses.': 'コンポーネントの状態を選んでください。',
  'Pick a status for this update.': 'この報告の状態を選んでください。',
  'Pick investigating, identified, monitoring or resolved.': '調査中・原因特定・経過観察・解決のいずれかを選んでください。',
  'Pick a group from the list, or none.': '一覧からグループを選ぶか、なしにしてください。',
  'Pick one from the list.': '一覧から選んでください。',
  'Pick admin or editor.': 'admin か editor を選んでください。',
  'Pick at least one scope.': '権限を一つ以上選んでください。',
  'Pick the status this text goes with.': 'この文面に合う状態を選んでください。',
  'Pick another slug.': '別のスラッグにしてください。',
  'Pick another slug or date.': '別のスラッグか日付にしてください。',
  'The postmortem file name was refused: it is not a plain file name inside the folder.': '障害報告のファイル名を受け付けませんでした。フォルダー内の単純なファイル名ではありません。',
  'The postmortem file name was refused: it is a link to a file outside the folder.': '障害報告のファイル名を受け付けませんでした。フォルダーの外のファイルを指すリンクです。',
  'The postmortem being edited is no longer in the folder.': '編集中の障害報告がフォルダーにありません。',
  'Open it again from Admin → Postmortems.': '管理画面の「障害報告」から開き直してください。',
  'Someone else saved this while you were editing, so your changes were not saved.': '編集中にほかの人が保存したため、あなたの変更は保存されていません。',
  'Compare what is stored now with what you typed (kept in the form), then save again to replace it.': 'いま保存されている内容と、フォームに残っているあなたの入力を見比べてから、もう一度保存すると置き換わります。',
  'Open the postmortem again from Admin → Postmortems; file names come from the date and slug.': '管理画面の「障害報告」から開き直してください。ファイル名は日付とスラッグから決まります。',
  'Keep the description under 1,000 characters.': '説明は 1,000 文字以内にしてください。',
  'Keep the reason under 500 characters.': '理由は 500 文字以内にしてください。',
  'Keep the summary under 1,000 characters.': '概要は 1,000 文字以内にしてください。',
  'Give an email address.': 'メールアドレスを入力してください。',
  'Give an email address such as name@example.com.': 'name@example.com のようなメールアドレスを入力してください。',
  'That address is too long.': 'アドレスが長すぎます。',
  'This address already has an account.': 'このアドレスのアカウントはすでにあります。',
  'Choose at least one component, or all of them.': 'コンポーネントを一つ以上、またはすべてを選んでください。',
  'Choose from the list.': '一覧から選んでください。',
  'One of the chosen components does not exist.': '選んだコンポーネントの一つが存在しません。',
  'Give the postmortem a title.': '障害報告のタイトルを入力してください。',
  'Give a slug: lowercase words joined by hyphens.': 'スラッグ(小文字の英単語をハイフンでつないだもの)を入力してください。',
  'Use lowercase letters, digits and hyphens, such as renewal-outage.': 'renewal-outage のように、小文字・数字・ハイフンを使ってください。',
  'Give the date as YYYY-MM-DD.': '日付は YYYY-MM-DD の形で入力してください。',
  'Give the full address, such as https://chat.example.com/hooks/status.': 'https://chat.example.com/hooks/status のような完全なアドレスを入力してください。',
  'Use an http:// or https:// address.': 'http:// か https:// のアドレスを使ってください。',
  'Webhooks cannot reach this address: it is on a loopback, private or reserved network.': 'Webhook はこのアドレスに送れません。ループバック・プライベート・予約済みのネットワークのアドレスです。',
  'Use the receiver’s public address, or set WEBHOOK_ALLOW_PRIVATE=1 for a receiver on your own network.': '受信先の公開アドレスを使うか、自分のネットワーク内の受信先なら WEBHOOK_ALLOW_PRIVATE=1 を設定してください。',
  'That email address and password do not match an account.': 'メールアドレスとパスワードの組み合わせに一致するアカウントがありません。',
  'If you forgot your password, ask an admin to reset it.': 'パスワードを忘れた場合は、管理者に再設定を依頼してください。',
  'Keep it under 200 characters.': '200 文字以内にしてください。',
  'That is not your current password.': '現在のパスワードが正しくありません。',
  'Choose a password different from the current one.': '現在のものとは違うパスワードにしてください。',
  'That code was not accepted: it may be mistyped, expired or already used.': 'このコードは受け付けられませんでした。入力の誤り、期限切れ、または使用済みの可能性があります。',
  'Type the 6-digit code your app shows now, or one of your recovery codes.': 'アプリに今表示されている 6 桁のコードか、リカバリーコードを入力してください。',
  'This sign-in has expired. Sign in again with your password.': 'このログインは期限が切れました。パスワードからやり直してください。',
  'The code has to follow the password within 5 minutes.': 'コードはパスワードの入力から 5 分以内に入力してください。',
  'That code does not match: check the app shows this account, and type the code it shows now.': 'コードが一致しません。アプリにこのアカウントが表示されていることを確かめ、今表示されているコードを入力してください。',
  'Two-factor sign-in is already on for this account.': 'このアカウントの 2 段階認証はすでにオンです。',
  'Turn it off first to move it to another app.': '別のアプリに移すには、先にオフにしてください。',
  'Two-factor sign-in has not been started.': '2 段階認証の設定が始まっていません。',
  'Start again from Your account.': 'アカウントのページからやり直してください。',
  'That is neither your password nor a current code.': 'パスワードでも現在のコードでもありません。',
  'Two-factor sign-in is already off for this account.': 'このアカウントの 2 段階認証はすでにオフです。',
  'Two-factor sign-in is required for admins on this site.': 'このサイトの管理者は 2 段階認証が必須です。',
  'To move it to a new phone, ask another admin to reset your password and clear it; you will then set it up again.': '新しい端末に移すには、ほかの管理者にパスワードの再設定と 2 段階認証の解除を依頼し、設定し直してください。',
  'You cannot reset your own password here.': '自分のパスワードはここでは再設定できません。',
  'Change it under Your account, where your current password is asked for.': '現在のパスワードを入力して、アカウントのページで変更してください。',
  'Only admins can do this.': 'この操作は管理者だけが行えます。',
  'Ask an admin to make the change, or to give your account the admin role.': '管理者に変更を依頼するか、管理者の役割を付けてもらってください。',
  'You cannot disable your own account.': '自分のアカウントは無効にできません。',
  'Ask another admin to do it.': 'ほかの管理者に依頼してください。',
  'This is the only update of its incident, so it cannot be deleted.': 'この障害の唯一の報告なので削除できません。',
  'Correct its text instead, or post a new update that says the incident was opened by mistake and resolve it.': '文面を訂正するか、誤って登録した旨の報告を掲載して解決してください。',
  'This maintenance is already completed.': 'このメンテナンスはすでに完了しています。',
  'Only maintenance can be cancelled; resolve an incident instead.': '中止できるのはメンテナンスだけです。障害は解決してください。',
  'This form did not say what to do.': 'このフォームの操作がわかりませんでした。',
  'Reload the page and try again.': 'ページを再読み込みして、もう一度お試しください。',
  'Too many requests from here. Please wait a few minutes and try again.': 'この接続元からのリクエストが多すぎます。数分待ってからもう一度お試しください。',
  'This link is not valid: it may have been changed or cut short.': 'このリンクは無効です。変更されたか、途中で切れている可能性があります。',
  'Open the link from the most recent email again, or subscribe again from the status page.': '最新のメールのリンクをもう一度開くか、稼働状況ページから購読し直してください。',
  'This link has expired: a newer link has been sent, or the subscription was ended.': 'このリンクは有効期限が切れています。新しいリンクが送られたか、購読が解除されました。',
  'Enter your address on the subscribe page (/subscribe) and we will email you a new link.': '購読ページ(/subscribe)でアドレスを入力すると、新しいリンクをメールでお送りします。',
  'This confirmation link has expired.': 'この確認用リンクは有効期限が切れています。',
  'Subscribe again from the status page to get a new link.': '稼働状況ページから購読し直すと、新しいリンクが届きます。',
  'The postmortem was not saved: it is too long.': '障害報告は保存されませんでした。長すぎます。',
  'Check the address; it may have been removed or mistyped.': 'アドレスを確かめてください。削除されたか、入力を誤った可能性があります。',
};

const PATTERNS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^The (\w+) was not saved: (\d+) field\(s\) need fixing\.$/, (m) => `保存されませんでした。${m[2]} か所の入力を直してください。`],
  [/^Too many failed sign-ins\. Try again in (\d+) minute\(s\)\.$/, (m) => `ログインの失敗が多すぎます。${m[1]} 分後にもう一度お試しください。`],
  [/^Keep the text under ([\d,]+) characters; link to a postmortem for more\.$/, (m) => `${m[1]} 文字以内にしてください。詳しくは障害報告にリンクしてください。`],
  [/^An account for (.+) already exists\.$/, (m) => `${m[1]} のアカウントはすでにあります。`],
  [/^Use at least (\d+) characters\.$/, (m) => `${m[1]} 文字以上にしてください。`],
];

/** A message the domain raised, in the reader's language where a translation exists. */
export function localizeMessage(locale: Locale, message: string | undefined): string | undefined {
  if (message === undefined || locale !== 'ja') return message;
  const exact = JA[message];
  if (exact) return exact;
  for (const [pattern, render] of PATTERNS) {
    const m = pattern.exec(message);
    if (m) return render(m);
  }
  // Summaries list several field messages: translate each one found inside.
  let out = message;
  for (const [en, ja] of Object.entries(JA).sort((a, b) => b[0].length - a[0].length)) out = out.split(en).join(ja);
  return out;
}
