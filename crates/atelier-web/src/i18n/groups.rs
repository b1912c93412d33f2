//! The groups of [`Messages`](super::Messages): one struct per page or concept, every field a
//! string of the interface. No `Default`: a missing translation does not compile.

/// The frame of every page (header, menu, footer, not found) and words pages share.
#[derive(Debug)]
#[allow(missing_docs)]
pub struct Common {
    pub site_name: &'static str,
    pub tagline: &'static str,
    pub skip_to_content: &'static str,
    pub search_label: &'static str,
    pub search_placeholder: &'static str,
    pub search_button: &'static str,
    pub nav_label: &'static str,
    pub menu: &'static str,
    pub nav_studio: &'static str,
    pub nav_generations: &'static str,
    /// Favorites
    pub nav_favorites: &'static str,
    /// Boards
    pub nav_boards: &'static str,
    pub credit_one: &'static str,
    pub credit_many: &'static str,
    pub credits_balance: &'static str,
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    pub account_settings: &'static str,
    pub language: &'static str,
    pub change_language: &'static str,
    pub footer_privacy: &'static str,
    pub footer_api: &'static str,
    pub prompt: &'static str,
    pub copy_prompt: &'static str,
    pub parameters: &'static str,
    pub model: &'static str,
    pub aspect: &'static str,
    pub copied: &'static str,
    pub copy_failed: &'static str,
    pub cancel: &'static str,
    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub error_title: &'static str,
    pub error_client_body: &'static str,
    pub error_server_body: &'static str,
    pub back_to_gallery: &'static str,
}

/// The gallery: home, search, filters, cards and an artwork's page.
#[derive(Debug)]
#[allow(missing_docs)]
pub struct Gallery {
    pub sort_label: &'static str,
    pub sort_relevance: &'static str,
    pub sort_newest: &'static str,
    pub sort_likes: &'static str,
    pub sort_favorites: &'static str,
    pub filter_models: &'static str,
    pub filter_aspects: &'static str,
    pub filter_categories: &'static str,
    pub filter_clear: &'static str,
    pub results_for: &'static str,
    pub results_suffix: &'static str,
    pub no_results: &'static str,
    pub no_results_hint: &'static str,
    pub gallery_empty: &'static str,
    pub next_page: &'static str,
    pub loading: &'static str,
    pub by: &'static str,
    pub likes: &'static str,
    pub views: &'static str,
    pub use_prompt: &'static str,
    pub size: &'static str,
    pub categories: &'static str,
    pub posted: &'static str,
    pub source: &'static str,
    pub images: &'static str,
    pub view_original_post: &'static str,
    /// The detail page's download of the full-size original (issue 22: the only link to it).
    pub download_original: &'static str,
    pub creator_rights: &'static str,
    pub demo_notice: &'static str,
    pub related: &'static str,
}

/// Signing in: the e-mail form, the code page and the sign-in link page.
#[derive(Debug)]
#[allow(missing_docs)]
pub struct Login {
    pub title: &'static str,
    pub lead: &'static str,
    pub new_account: &'static str,
    pub email_label: &'static str,
    pub email_placeholder: &'static str,
    pub send_code: &'static str,
    pub check_mail_title: &'static str,
    pub check_mail_sent_to: &'static str,
    pub check_mail_expiry: &'static str,
    pub code_label: &'static str,
    pub verify_code: &'static str,
    pub check_mail_spam: &'static str,
    /// When mail goes to files (demo): where to find it; `{path}` is the folder.
    pub outbox_hint: &'static str,
    pub resend_code: &'static str,
    pub use_other_email: &'static str,
    pub link_confirm_title: &'static str,
    pub link_confirm_question: &'static str,
    pub link_confirm_note: &'static str,
    pub link_confirm_button: &'static str,
    pub link_invalid_title: &'static str,
    pub link_invalid_body: &'static str,
    pub link_invalid_action: &'static str,
}

/// Account settings: profile, e-mail, sessions, API tokens and assistant history.
#[derive(Debug)]
#[allow(missing_docs)]
pub struct AccountSettings {
    pub signed_in_as: &'static str,
    pub profile_heading: &'static str,
    pub display_name_label: &'static str,
    pub display_name_hint: &'static str,
    pub language_hint: &'static str,
    pub marketing_label: &'static str,
    pub marketing_hint: &'static str,
    pub save: &'static str,
    pub saved_profile: &'static str,
    pub email_heading: &'static str,
    pub email_current: &'static str,
    pub email_new_label: &'static str,
    pub email_change_hint: &'static str,
    pub email_send_code: &'static str,
    pub email_code_sent: &'static str,
    pub email_confirm: &'static str,
    pub saved_email: &'static str,
    pub sessions_heading: &'static str,
    pub sessions_intro: &'static str,
    pub this_device: &'static str,
    pub signed_in_at: &'static str,
    pub last_active: &'static str,
    pub sign_out_everywhere: &'static str,
    pub sign_out_everywhere_hint: &'static str,
    pub saved_session_ended: &'static str,
    pub tokens_heading: &'static str,
    pub tokens_intro: &'static str,
    pub tokens_empty: &'static str,
    pub token_name_label: &'static str,
    pub token_name_placeholder: &'static str,
    pub token_create: &'static str,
    pub token_new_title: &'static str,
    pub token_copy_now: &'static str,
    pub token_copy: &'static str,
    pub token_try: &'static str,
    pub token_created: &'static str,
    pub token_last_used: &'static str,
    pub token_never_used: &'static str,
    pub token_expires: &'static str,
    pub token_no_expiry: &'static str,
    pub token_revoke: &'static str,
    pub saved_token_revoked: &'static str,
    pub assistant_history_heading: &'static str,
    /// `{days}`: the retention period.
    pub assistant_history_intro: &'static str,
    pub assistant_history_empty: &'static str,
    pub assistant_history_delete: &'static str,
    pub assistant_history_delete_hint: &'static str,
    pub saved_assistant_deleted: &'static str,
    pub feature_enhance: &'static str,
    pub feature_describe: &'static str,
    pub feature_edit: &'static str,
    pub log_your_upload: &'static str,
    pub log_your_image: &'static str,
    pub log_result: &'static str,
    pub log_provider_local: &'static str,
    pub log_more: &'static str,
}

/// The studio's generation form.
#[derive(Debug)]
#[allow(missing_docs)]
pub struct Studio {
    pub lead: &'static str,
    pub prompt_placeholder: &'static str,
    pub prompt_hint: &'static str,
    pub demo_badge: &'static str,
    /// `{n}` is the price.
    pub per_image_one: &'static str,
    pub per_image_many: &'static str,
    pub count_label: &'static str,
    pub seed_label: &'static str,
    pub optional: &'static str,
    pub seed_hint: &'static str,
    pub settings_heading: &'static str,
    pub refs_heading: &'static str,
    /// `{n}`: the chosen model's limit.
    pub refs_hint: &'static str,
    pub refs_none_model: &'static str,
    pub upload_label: &'static str,
    pub upload_hint: &'static str,
    pub upload_button: &'static str,
    pub uploading: &'static str,
    pub uploaded: &'static str,
    pub reference_alt: &'static str,
    /// The price before generating; `{total}` and `{balance}` are credits.
    pub price_one: &'static str,
    pub price_many: &'static str,
    pub price_short: &'static str,
    /// U4: `{provider}` is the provider's name.
    pub notice_provider: &'static str,
    pub notice_local: &'static str,
    pub generate: &'static str,
    pub generate_starting: &'static str,
    pub no_models: &'static str,
}

/// A generation's page, its delete page and the list of generations.
#[derive(Debug)]
#[allow(missing_docs)]
pub struct Generations {
    pub generation_title: &'static str,
    pub status_queued: &'static str,
    pub status_running: &'static str,
    pub status_succeeded: &'static str,
    pub status_failed: &'static str,
    pub progress_queued: &'static str,
    pub progress_running: &'static str,
    pub progress_auto: &'static str,
    pub failed_title: &'static str,
    pub failed_no_charge: &'static str,
    pub seed_random: &'static str,
    pub credits_charged: &'static str,
    pub created: &'static str,
    pub use_again: &'static str,
    pub download: &'static str,
    pub delete: &'static str,
    pub open_original: &'static str,
    pub private_note: &'static str,
    pub all_generations: &'static str,
    pub delete_title: &'static str,
    pub delete_permanent: &'static str,
    pub delete_what: &'static str,
    pub delete_download_first: &'static str,
    pub delete_running: &'static str,
    pub delete_confirm: &'static str,
    pub deleted_flash: &'static str,
    pub lead: &'static str,
    pub new_generation: &'static str,
    pub empty: &'static str,
    pub empty_hint: &'static str,
    pub open_studio: &'static str,
    pub older_generations: &'static str,
    pub newest_generations: &'static str,
    /// `{n}` images.
    pub image_count_one: &'static str,
    pub image_count_many: &'static str,
}

/// The prompt assistant (enhance, describe) and the image edit page.
#[derive(Debug)]
#[allow(missing_docs)]
pub struct Assistant {
    /// Enhance prompt
    pub enhance_button: &'static str,
    pub enhancing: &'static str,
    /// `{n}`: credits one enhance costs.
    pub enhance_costs_one: &'static str,
    pub enhance_costs_many: &'static str,
    pub describe_costs_one: &'static str,
    pub describe_costs_many: &'static str,
    pub suggestion_heading: &'static str,
    pub suggestion_yours: &'static str,
    pub suggestion_new: &'static str,
    pub use_suggestion: &'static str,
    pub keep_mine: &'static str,
    pub suggestion_used: &'static str,
    pub describe_button: &'static str,
    pub describe_title: &'static str,
    pub describing: &'static str,
    pub described: &'static str,
    pub edit_button: &'static str,
    pub edit_title_image: &'static str,
    /// U4 for enhance and describe.
    pub notice_local: &'static str,
    pub notice_openai: &'static str,
    pub edit_title: &'static str,
    pub edit_lead: &'static str,
    pub edit_back: &'static str,
    pub edit_source_alt: &'static str,
    pub edit_instruction_label: &'static str,
    pub edit_instruction_placeholder: &'static str,
    pub edit_examples_label: &'static str,
    /// Example instructions the offline editor understands.
    pub edit_examples: &'static [&'static str],
    pub edit_local_hint: &'static str,
    pub edit_submit: &'static str,
    pub edit_starting: &'static str,
    pub edit_notice_local: &'static str,
    /// `{provider}`: the image provider's name.
    pub edit_notice_provider: &'static str,
    pub edit_model: &'static str,
}

/// Favorites, boards, adding to a board and shared boards.
#[derive(Debug)]
#[allow(missing_docs)]
pub struct Collections {
    /// Add to favorites
    pub favorite_add: &'static str,
    /// Remove from favorites
    pub favorite_remove: &'static str,
    /// After the number of users who hearted an item.
    pub favorite_count: &'static str,
    /// My favorites
    pub favorites_title: &'static str,
    /// No favorites yet. Tap the heart on any artwork to keep it here.
    pub favorites_empty: &'static str,
    /// Boards
    pub boards_title: &'static str,
    /// Boards are private collections of gallery artworks and your own generations. Deleting a board never deletes what is on it.
    pub boards_intro: &'static str,
    /// No boards yet.
    pub boards_empty: &'static str,
    /// Create board
    pub board_create: &'static str,
    /// Name
    pub board_name: &'static str,
    /// Description
    pub board_description: &'static str,
    /// 1 item
    pub board_items_one: &'static str,
    /// {n} items
    pub board_items_many: &'static str,
    /// This board is empty. Use “Add to board” on an artwork or one of your generations.
    pub board_empty: &'static str,
    /// Remove from board
    pub board_remove: &'static str,
    /// Rename and describe
    pub board_edit: &'static str,
    /// Save
    pub board_save: &'static str,
    /// Delete board
    pub board_delete: &'static str,
    /// Delete this board?
    pub board_delete_title: &'static str,
    /// Only the board goes. The artworks and generations on it are not deleted.
    pub board_delete_note: &'static str,
    /// Yes, delete the board
    pub board_delete_confirm: &'static str,
    /// Share
    pub board_share: &'static str,
    /// The mark of a shared board in the list.
    pub board_shared_badge: &'static str,
    /// Anyone with the link can see this board's name, description and artworks, but not who you are.
    pub board_share_intro: &'static str,
    /// Create share link
    pub board_share_create: &'static str,
    /// Stop sharing
    pub board_share_stop: &'static str,
    /// Share link
    pub board_share_link: &'static str,
    /// Copy link
    pub board_share_copy: &'static str,
    /// This board holds your own generations: only those marked “show on the shared page” appear on the shared page.
    pub board_share_warning: &'static str,
    /// Shown on the shared page
    pub board_gen_shared: &'static str,
    /// Not on the shared page
    pub board_gen_private: &'static str,
    /// Show on the shared page
    pub board_gen_show: &'static str,
    /// Hide from the shared page
    pub board_gen_hide: &'static str,
    /// Your generations
    pub board_generations: &'static str,
    /// Artworks
    pub board_artworks: &'static str,
    /// Add to board
    pub add_to_board: &'static str,
    /// Board
    pub add_to_board_choose: &'static str,
    /// or a new board
    pub add_to_board_new: &'static str,
    /// New board name
    pub add_to_board_new_placeholder: &'static str,
    /// Add
    pub add_to_board_go: &'static str,
    /// A board shared from Atelier.
    pub shared_board_note: &'static str,
    /// Open board
    pub view_board: &'static str,
    /// A board name has 1 to 80 characters.
    pub board_name_invalid: &'static str,
    /// Nothing to see on this board yet.
    pub board_empty_shared: &'static str,
}

/// The privacy policy page, its banner and links to the privacy center.
#[derive(Debug)]
#[allow(missing_docs)]
pub struct Privacy {
    pub title: &'static str,
    pub version: &'static str,
    pub banner_changed: &'static str,
    pub banner_new: &'static str,
    pub banner_read_changes: &'static str,
    pub banner_read: &'static str,
    pub center_link: &'static str,
    pub open_center: &'static str,
}

/// The privacy center (data held, retention, mail, export) and the account deletion page.
#[derive(Debug)]
#[allow(missing_docs)]
pub struct PrivacyCenter {
    pub title: &'static str,
    pub lead: &'static str,
    pub read_policy: &'static str,
    pub held_heading: &'static str,
    pub email: &'static str,
    pub email_note: &'static str,
    pub change: &'static str,
    pub view: &'static str,
    pub sessions: &'static str,
    pub last_seen: &'static str,
    pub tokens: &'static str,
    pub ip_events: &'static str,
    pub ip_note: &'static str,
    pub generations: &'static str,
    pub generations_note: &'static str,
    pub uploads: &'static str,
    pub uploads_note: &'static str,
    pub favorites: &'static str,
    pub boards: &'static str,
    pub ledger: &'static str,
    pub ledger_note: &'static str,
    pub assistant: &'static str,
    pub assistant_note: &'static str,
    pub assistant_delete: &'static str,
    pub consents: &'static str,
    pub consents_empty: &'static str,
    pub consent_marketing_in: &'static str,
    pub consent_marketing_out: &'static str,
    pub consent_policy: &'static str,
    pub source_signup: &'static str,
    pub source_settings: &'static str,
    pub source_api: &'static str,
    pub source_unsubscribe: &'static str,
    pub source_policy: &'static str,
    pub kept: &'static str,
    /// ": " or "：".
    pub colon: &'static str,
    pub ret_content: &'static str,
    pub kept_until_deleted: &'static str,
    pub kept_days: &'static str,
    pub kept_hours: &'static str,
    pub kept_minutes: &'static str,
    pub kept_sessions: &'static str,
    pub kept_ledger: &'static str,
    pub retention_heading: &'static str,
    pub ret_account: &'static str,
    pub ret_account_value: &'static str,
    pub ret_cdn: &'static str,
    pub ret_cdn_value: &'static str,
    pub ret_logs: &'static str,
    pub ret_logs_value: &'static str,
    pub recipients_heading: &'static str,
    pub recipients_note: &'static str,
    pub on_this_server: &'static str,
    pub leaves_server: &'static str,
    pub mail_heading: &'static str,
    pub marketing_on: &'static str,
    pub marketing_off: &'static str,
    pub marketing_subscribe: &'static str,
    pub marketing_unsubscribe: &'static str,
    pub marketing_note: &'static str,
    pub saved_marketing_on: &'static str,
    pub saved_marketing_off: &'static str,
    pub export_heading: &'static str,
    pub export_lead: &'static str,
    pub export_download: &'static str,
    pub export_mail: &'static str,
    pub export_mail_hint: &'static str,
    pub export_queued: &'static str,
    pub exports_heading: &'static str,
    pub export_queued_status: &'static str,
    pub export_ready_status: &'static str,
    pub export_failed_status: &'static str,
    pub export_expires: &'static str,
    pub delete_heading: &'static str,
    pub delete_lead: &'static str,
    pub delete_button: &'static str,
    pub delete_pending: &'static str,
    pub delete_pending_hint: &'static str,
    pub withdraw: &'static str,
    pub saved_deletion: &'static str,
    pub saved_withdrawn: &'static str,
    pub del_title: &'static str,
    pub del_lead: &'static str,
    /// What an account deletion removes, one item each.
    pub del_goes: &'static [&'static str],
    pub del_when: &'static str,
    pub del_final: &'static str,
    pub del_download_first: &'static str,
    pub del_mail: &'static str,
    pub del_confirm: &'static str,
}

/// What a form says when it refuses its input (refusals and form errors).
#[derive(Debug)]
#[allow(missing_docs)]
pub struct Errors {
    pub invalid_email: &'static str,
    pub invalid_code: &'static str,
    pub rate_limited: &'static str,
    pub same_email: &'static str,
    pub email_taken: &'static str,
    pub display_name: &'static str,
    pub token_name: &'static str,
    pub language: &'static str,
    pub upload_missing: &'static str,
    pub upload_too_large: &'static str,
    pub upload_unsupported: &'static str,
    pub upload_malformed: &'static str,
    pub upload_pixels: &'static str,
    pub upload_failed: &'static str,
    pub prompt: &'static str,
    pub unknown_model: &'static str,
    pub aspect: &'static str,
    pub count: &'static str,
    pub seed: &'static str,
    pub too_many_refs: &'static str,
    pub unknown_upload: &'static str,
    pub duplicate_ref: &'static str,
    pub not_enough_credits: &'static str,
    pub too_many_running: &'static str,
    pub form_reused: &'static str,
    /// `{reason}`: the provider's words.
    pub assistant_failed: &'static str,
    pub assistant_credits: &'static str,
    pub instruction: &'static str,
    pub edit_unsupported: &'static str,
}

/// The credits page: the balance, the packs on sale and the purchase history.
#[derive(Debug)]
#[allow(missing_docs)]
pub struct Credits {
    pub title: &'static str,
    pub balance: &'static str,
    pub packs_title: &'static str,
    pub buy: &'static str,
    pub pack_credits: &'static str,
    pub stripe_note: &'static str,
    pub packs_off: &'static str,
    pub history_title: &'static str,
    pub history_empty: &'static str,
    pub status_pending: &'static str,
    pub status_paid: &'static str,
    pub status_refunded: &'static str,
    pub status_partially_refunded: &'static str,
    pub status_failed: &'static str,
    pub status_expired: &'static str,
    pub flash_pending: &'static str,
    pub flash_paid: &'static str,
    pub flash_cancelled: &'static str,
    pub ledger_title: &'static str,
    pub ledger_empty: &'static str,
    pub ledger_more: &'static str,
    /// `{n}`: images delivered (more than one).
    pub ledger_generation: &'static str,
    pub ledger_generation_one: &'static str,
    /// `{n}`: images asked for (more than one).
    pub ledger_generation_running: &'static str,
    pub ledger_generation_running_one: &'static str,
    pub ledger_generation_nothing: &'static str,
    pub ledger_generation_gone: &'static str,
    /// `{feature}`: Enhance, Describe or Edit.
    pub ledger_assistant: &'static str,
    /// `{pack}`: the pack's name.
    pub ledger_purchase: &'static str,
    /// `{pack}`: the pack's name.
    pub ledger_refund: &'static str,
    pub ledger_grant: &'static str,
    /// `{reason}`: the operator's words.
    pub ledger_adjustment: &'static str,
    pub ledger_running: &'static str,
    /// `{n}`: a signed number of credits (not one).
    pub ledger_change: &'static str,
    /// `{n}`: +1 or −1.
    pub ledger_change_one: &'static str,
    pub error_billing_off: &'static str,
    pub error_unknown_pack: &'static str,
    pub error_checkout_failed: &'static str,
}

/// The operator's console (issue 19).
#[derive(Debug)]
pub struct Admin {
    pub title: &'static str,
    pub tab_users: &'static str,
    pub tab_audit: &'static str,
    pub tab_deletions: &'static str,
    pub nav_link: &'static str,
    pub read_only: &'static str,
    pub search_label: &'static str,
    pub search: &'static str,
    pub col_email: &'static str,
    pub col_joined: &'static str,
    pub col_credits: &'static str,
    pub col_roles: &'static str,
    pub users_empty: &'static str,
    pub more: &'static str,
    pub audited_note: &'static str,
    pub account: &'static str,
    pub display_name: &'static str,
    pub language: &'static str,
    pub news_mail: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub none: &'static str,
    pub sessions: &'static str,
    pub sessions_empty: &'static str,
    pub end_session: &'static str,
    pub end_all: &'static str,
    pub ip_events: &'static str,
    pub ip_events_empty: &'static str,
    pub ledger: &'static str,
    pub ledger_empty: &'static str,
    pub purchases: &'static str,
    pub purchases_empty: &'static str,
    pub deletion: &'static str,
    pub deletion_none: &'static str,
    pub deletion_pending: &'static str,
    pub adjust: &'static str,
    pub amount: &'static str,
    pub reason: &'static str,
    pub adjust_submit: &'static str,
    pub roles: &'static str,
    pub role_support: &'static str,
    pub role_admin: &'static str,
    pub roles_submit: &'static str,
    pub saved_credits: &'static str,
    pub saved_roles: &'static str,
    pub saved_sessions: &'static str,
    pub error_own_admin: &'static str,
    pub error_below_zero: &'static str,
    pub req_title: &'static str,
    pub req_intro: &'static str,
    pub req_url: &'static str,
    pub req_email: &'static str,
    pub req_reason: &'static str,
    pub req_submit: &'static str,
    pub req_sent: &'static str,
    pub req_footer: &'static str,
    pub queue_title: &'static str,
    pub queue_empty: &'static str,
    pub queue_remove: &'static str,
    pub queue_remove_author: &'static str,
    pub queue_decline: &'static str,
    pub status_open: &'static str,
    pub status_removed: &'static str,
    pub status_declined: &'static str,
    pub saved_answer: &'static str,
    pub error_source_url: &'static str,
    pub error_answered: &'static str,
    pub tab_takedowns: &'static str,
    pub takedowns_intro: &'static str,
    pub takedown_target: &'static str,
    pub takedown_author: &'static str,
    pub takedown_reason: &'static str,
    pub takedown_submit: &'static str,
    pub saved_takedown: &'static str,
    pub error_not_found: &'static str,
    pub error_network: &'static str,
    pub error_own_network: &'static str,
    pub tab_blocks: &'static str,
    pub blocks_intro: &'static str,
    pub blocks_empty: &'static str,
    pub block_network: &'static str,
    pub block_reason: &'static str,
    pub block_days: &'static str,
    pub block_confirm: &'static str,
    pub block_submit: &'static str,
    pub block_lift: &'static str,
    pub block_this: &'static str,
    pub block_from_user: &'static str,
    pub block_until: &'static str,
    pub block_forever: &'static str,
    pub saved_block: &'static str,
    pub saved_unblock: &'static str,
    pub blocked_title: &'static str,
    pub error_amount: &'static str,
    pub error_reason: &'static str,
    pub col_when: &'static str,
    pub col_actor: &'static str,
    pub col_action: &'static str,
    pub col_target: &'static str,
    pub col_detail: &'static str,
    pub audit_intro: &'static str,
    pub audit_empty: &'static str,
    pub deletions_intro: &'static str,
    pub deletions_empty: &'static str,
    pub col_requested: &'static str,
    pub col_due: &'static str,
    pub col_deadline: &'static str,
    pub col_source: &'static str,
    pub source_self: &'static str,
    pub source_admin: &'static str,
    pub days_left: &'static str,
    pub col_user: &'static str,
}
