//! Light, dark or the system's choice: kept in localStorage, applied as `data-theme` on the
//! root element (the style sheet follows the system when there is none).

use leptos::prelude::*;

const STORAGE_KEY: &str = "tallylab.theme";

/// The three choices, in the order the toggle cycles through them.
const CHOICES: [&str; 3] = ["system", "light", "dark"];

fn stored() -> String {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .filter(|t| CHOICES.contains(&t.as_str()))
        .unwrap_or_else(|| "system".into())
}

fn apply(theme: &str) {
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    else {
        return;
    };
    let _ = if theme == "system" {
        root.remove_attribute("data-theme")
    } else {
        root.set_attribute("data-theme", theme)
    };
}

/// Applies the stored choice (at start, before the first page renders).
pub fn apply_stored() {
    apply(&stored());
}

/// The next choice after `theme`.
fn next(theme: &str) -> &'static str {
    let i = CHOICES.iter().position(|c| *c == theme).unwrap_or(0);
    CHOICES[(i + 1) % CHOICES.len()]
}

/// The header's theme button: system → light → dark → system.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let theme = RwSignal::new(stored());
    let cycle = move |_| {
        let t = next(&theme.get_untracked()).to_string();
        apply(&t);
        if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
            let _ = s.set_item(STORAGE_KEY, &t);
        }
        theme.set(t);
    };
    let icon = move || match theme.get().as_str() {
        "light" => "☀",
        "dark" => "☾",
        _ => "◐",
    };
    view! {
        <button type="button" class="link theme" data-testid="theme-toggle" on:click=cycle
            aria-label=move || format!("Theme: {} (change)", theme.get())
            title=move || format!("Theme: {}", theme.get())>
            <span aria-hidden="true">{icon}</span>
            <span class="long">{move || format!(" {}", theme.get())}</span>
        </button>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_toggle_cycles_through_the_three() {
        assert_eq!(super::next("system"), "light");
        assert_eq!(super::next("light"), "dark");
        assert_eq!(super::next("dark"), "system");
        assert_eq!(super::next("bogus"), "light");
    }
}
