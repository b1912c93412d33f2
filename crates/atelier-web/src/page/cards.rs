//! What the cards of several pages share: the hearts of the signed-in user and their boards for
//! "add to board".

use crate::ApiError;
use crate::state::AppState;
use crate::views::CardView;
use atelier_app::accounts::Principal;

/// Marks the cards the signed-in user has hearted: one query for the whole page.
pub async fn mark_favorites(
    state: &AppState,
    principal: Option<&Principal>,
    cards: &mut [CardView],
) -> Result<(), ApiError> {
    let Some(principal) = principal else {
        return Ok(());
    };
    if cards.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = cards.iter().map(|c| c.id.clone()).collect();
    let hearted = state.app.favorited_among(&principal.user.id, &ids).await?;
    for card in cards {
        card.favorited = hearted.contains(&card.id);
    }
    Ok(())
}

/// A board in the "add to board" select.
#[derive(Debug, Clone)]
pub struct BoardChoice {
    /// The board's id.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// The user's boards for the "add to board" select.
pub async fn board_choices(
    state: &AppState,
    principal: Option<&Principal>,
) -> Result<Vec<BoardChoice>, ApiError> {
    let Some(principal) = principal else {
        return Ok(Vec::new());
    };
    Ok(state
        .app
        .boards(&principal.user.id)
        .await?
        .into_iter()
        .map(|b| BoardChoice {
            id: b.id,
            name: b.name,
        })
        .collect())
}
