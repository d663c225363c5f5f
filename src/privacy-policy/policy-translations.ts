import type { LegalBasis } from '../privacy/processing.decorator.js';

/**
 * The declarations' words in Swedish and Norwegian, for the policy's table. The declarations are
 * written in English (the record of processing is the DPO's working document); the policy is read
 * by customers and contacts in their own language, so every purpose, data subject and retention
 * text has its translation here. Retention texts are keyed by their exact English wording: when a
 * period or rule changes, its old translation no longer matches and the policy test names the text
 * that needs a new one (the page meanwhile shows the English, marked as such, rather than a stale
 * translation).
 */
export type Translation = { sv: string; nb: string };

export const ARTICLE_6_TRANSLATED: Record<LegalBasis, Translation> = {
  consent: { sv: 'art. 6.1 a samtycke', nb: 'art. 6 nr. 1 a samtykke' },
  contract: { sv: 'art. 6.1 b avtal', nb: 'art. 6 nr. 1 b avtale' },
  legal_obligation: { sv: 'art. 6.1 c rättslig förpliktelse', nb: 'art. 6 nr. 1 c rettslig forpliktelse' },
  vital_interests: { sv: 'art. 6.1 d grundläggande intressen', nb: 'art. 6 nr. 1 d vitale interesser' },
  public_task: { sv: 'art. 6.1 e uppgift av allmänt intresse', nb: 'art. 6 nr. 1 e oppgave i allmennhetens interesse' },
  legitimate_interests: { sv: 'art. 6.1 f berättigat intresse', nb: 'art. 6 nr. 1 f berettiget interesse' },
};

export const SUBJECTS_TRANSLATED: Record<string, Translation> = {
  customers: { sv: 'kunder', nb: 'kunder' },
  'alarm contacts': { sv: 'larmkontakter', nb: 'alarmkontakter' },
  operators: { sv: 'larmcentralens personal', nb: 'alarmsentralens ansatte' },
  'alarm contacts (keyholders)': { sv: 'larmkontakter (nyckelpersoner)', nb: 'alarmkontakter (nøkkelpersoner)' },
  "users of the customer's alarm panel (by panel user number)": {
    sv: 'användare av kundens larmsystem (med användarnummer)',
    nb: 'brukere av kundens alarmsystem (med brukernummer)',
  },
  "users of the customer's alarm panel (by the names the customer gives them)": {
    sv: 'användare av kundens larmsystem (med de namn kunden ger dem)',
    nb: 'brukere av kundens alarmsystem (med navnene kunden gir dem)',
  },
  'anyone texting the alarm-central number': { sv: 'alla som sms:ar till larmcentralens nummer', nb: 'alle som sender SMS til alarmsentralens nummer' },
  "the controller's and the data protection officer's contact persons": {
    sv: 'kontaktpersoner hos den personuppgiftsansvarige och dataskyddsombudet',
    nb: 'kontaktpersoner hos behandlingsansvarlig og personvernombudet',
  },
  'anyone trying to log in': {
    sv: 'alla som försöker logga in',
    nb: 'alle som prøver å logge inn',
  },
  'former customers and alarm contacts who were erased': {
    sv: 'tidigare kunder och larmkontakter som raderats',
    nb: 'tidligere kunder og alarmkontakter som er slettet',
  },
};

/** Each operation's purpose, by operation name. */
export const PURPOSES_TRANSLATED: Record<string, Translation> = {
  'alarms.actions': {
    sv: 'Registrera vad operatören gjorde åt ett larm: vem som nåddes, väktare eller räddningstjänst, falsklarm, åtgärdat',
    nb: 'Registrere hva operatøren gjorde med en alarm: hvem som ble nådd, vekter eller nødetater, falsk alarm, løst',
  },
  'alarms.actions.bulk': {
    sv: 'Registrera ett utfall på många larm med samma orsak på en gång (kvittera, åtgärda, falsklarm, anteckning), på varje larm',
    nb: 'Registrere ett utfall på mange alarmer med samme årsak på én gang (kvittere, løse, falsk alarm, notat), på hver alarm',
  },
  'alarms.calls': {
    sv: 'Registrera operatörens telefonsamtal om ett larm (till vem, utfall, anteckning), så att alla operatörer vet vem som redan ringts',
    nb: 'Registrere operatørens telefonsamtaler om en alarm (til hvem, utfall, notat), så alle operatører vet hvem som allerede er ringt',
  },
  'alarms.claims': {
    sv: 'Registrera vilken operatör som hanterar ett larm (ta, lämna över, släppa), så att två operatörer inte arbetar med det ovetande',
    nb: 'Registrere hvilken operatør som håndterer en alarm (ta, overlevere, slippe), så to operatører ikke jobber med den uten å vite det',
  },
  'alarms.escalation.text_contact': {
    sv: 'Sms:a larmkontakterna, en i taget i kundens ordning, när ägaren inte kunde nås',
    nb: 'Sende SMS til alarmkontaktene, én om gangen i kundens rekkefølge, når eieren ikke kunne nås',
  },
  'alarms.escalation.text_owner': {
    sv: 'Sms:a ägaren i samma ögonblick som larmet går, med en kod för att kvittera det',
    nb: 'Sende SMS til eieren i det øyeblikket alarmen går, med en kode for å kvittere den',
  },
  'alarms.handlers.list': {
    sv: 'Visa vilka operatörer ett larm kan lämnas över till (bara namn)',
    nb: 'Vise hvilke operatører en alarm kan overleveres til (bare navn)',
  },
  'alarms.list': {
    sv: 'Visa operatörernas kö av larm, de allvarligaste först, så att inget missas',
    nb: 'Vise operatørenes kø av alarmer, de alvorligste først, så ingen blir oversett',
  },
  'alarms.read': { sv: 'Visa ett larm med hela dess förlopp, för att hantera det', nb: 'Vise én alarm med hele forløpet, for å håndtere den' },
  'alarms.stream': {
    sv: 'Hålla operatörernas kö aktuell: varje ändring av ett larm när den sker',
    nb: 'Holde operatørenes kø oppdatert: hver endring av en alarm når den skjer',
  },
  'alarms.supervision.panel_offline': {
    sv: 'Upptäcka en larmpanel som slutat rapportera (testsignalen saknas) och öppna ett tekniskt larm för den',
    nb: 'Oppdage et alarmpanel som har sluttet å rapportere (testsignalen mangler) og åpne en teknisk alarm for den',
  },
  'contacts.create': {
    sv: 'Lägga till en person som kunden angett i kundens lista över larmkontakter',
    nb: 'Legge til en person kunden har oppgitt i kundens liste over alarmkontakter',
  },
  'contacts.list': { sv: 'Visa en kunds larmkontakter i den ordning de kontaktas', nb: 'Vise en kundes alarmkontakter i den rekkefølgen de kontaktes' },
  'contacts.read': { sv: 'Visa en larmkontakt', nb: 'Vise én alarmkontakt' },
  'contacts.remove': { sv: 'Ta bort en person från kundens lista över larmkontakter', nb: 'Fjerne en person fra kundens liste over alarmkontakter' },
  'contacts.reorder': {
    sv: 'Bestämma i vilken ordning larmkontakterna kontaktas, som kunden vill',
    nb: 'Bestemme i hvilken rekkefølge alarmkontaktene kontaktes, slik kunden ønsker',
  },
  'contacts.update': {
    sv: 'Hålla en larmkontakts uppgifter korrekta (även rättelse på begäran)',
    nb: 'Holde en alarmkontakts opplysninger riktige (også retting på forespørsel)',
  },
  'customers.action_plans.read': { sv: 'Visa kundens egen rutin per larmtyp', nb: 'Vise kundens egen rutine per alarmtype' },
  'customers.action_plans.remove': { sv: 'Ta bort kundens egen rutin för en larmtyp', nb: 'Fjerne kundens egen rutine for en alarmtype' },
  'customers.action_plans.set': {
    sv: 'Registrera den rutin som avtalats med kunden för en larmtyp',
    nb: 'Registrere rutinen som er avtalt med kunden for en alarmtype',
  },
  'customers.arming_history.read': {
    sv: 'Visa när och hur larmet kopplades till och från, och av vilken användare, för att hantera ett larm eller en fråga från kunden',
    nb: 'Vise når og hvordan alarmen ble slått på og av, og av hvilken bruker, for å håndtere en alarm eller et spørsmål fra kunden',
  },
  'customers.create': {
    sv: 'Registrera en ny larmkund enligt avtalet om larmövervakning',
    nb: 'Registrere en ny alarmkunde etter avtalen om alarmovervåking',
  },
  'customers.end_contract': {
    sv: 'Avsluta kundens avtal om larmövervakning; gallringsregeln raderar uppgifterna senare',
    nb: 'Avslutte kundens avtale om alarmovervåking; slettereglen sletter opplysningene senere',
  },
  'customers.list': {
    sv: 'Hitta en kund i registret för att hjälpa kunden eller hantera kundens larm',
    nb: 'Finne en kunde i registeret for å hjelpe kunden eller håndtere kundens alarm',
  },
  'customers.national_id.reveal': {
    sv: 'Säker identifiering av kunden (t.ex. innan vi agerar på en begäran per telefon); varje visning loggas',
    nb: 'Sikker identifisering av kunden (f.eks. før vi handler på en forespørsel per telefon); hver visning logges',
  },
  'customers.premises.read': {
    sv: 'Visa vad larmcentralen vet om kundens lokaler, för att hantera kundens larm',
    nb: 'Vise hva alarmsentralen vet om kundens lokaler, for å håndtere kundens alarmer',
  },
  'customers.premises.secrets.reveal': {
    sv: 'Säker identifiering av den som ringer: kontrollera lösenord eller hotord som en nyckelperson uppger i telefon, och komma in i lokalerna; varje visning loggas',
    nb: 'Sikker identifisering av den som ringer: kontrollere passord eller tvangsord en nøkkelperson oppgir på telefon, og komme inn i lokalene; hver visning logges',
  },
  'customers.premises.update': {
    sv: 'Hålla det larmcentralen vet om kundens lokaler korrekt',
    nb: 'Holde det alarmsentralen vet om kundens lokaler riktig',
  },
  'customers.read': {
    sv: 'Visa en kunds uppgifter för att hjälpa kunden eller hantera kundens larm',
    nb: 'Vise en kundes opplysninger for å hjelpe kunden eller håndtere kundens alarm',
  },
  'customers.update': {
    sv: 'Hålla kundens uppgifter korrekta (även rättelse på begäran)',
    nb: 'Holde kundens opplysninger riktige (også retting på forespørsel)',
  },
  'names.read': {
    sv: 'Visa personer med namn i stället för id i meddelandelistan och behandlingsloggen, så att personalen kan följa upp dem',
    nb: 'Vise personer med navn i stedet for id i meldingslisten og behandlingsloggen, så de ansatte kan følge dem opp',
  },
  'operators.create': { sv: 'Ge larmcentralens personal ett konto och en roll', nb: 'Gi alarmsentralens ansatte en konto og en rolle' },
  'operators.end_sessions': {
    sv: 'Avsluta alla inloggningar för en anställd (en förlorad enhet, misstänkt intrång)',
    nb: 'Avslutte alle innlogginger for en ansatt (en mistet enhet, mistanke om innbrudd)',
  },
  'operators.list': { sv: 'Administrera personalens konton', nb: 'Administrere de ansattes kontoer' },
  'operators.login': {
    sv: 'Kontrollera vem en anställd är innan den når personuppgifter',
    nb: 'Kontrollere hvem en ansatt er før vedkommende får tilgang til personopplysninger',
  },
  'operators.logout': { sv: 'Avsluta en operatörs inloggning', nb: 'Avslutte en operatørs innlogging' },
  'operators.me': { sv: 'Visa den inloggade operatören vem den är inloggad som', nb: 'Vise den innloggede operatøren hvem vedkommende er logget inn som' },
  'operators.reset_password': {
    sv: 'Återställa en anställds lösenord; den anställdes inloggningar avslutas',
    nb: 'Tilbakestille en ansatts passord; den ansattes innlogginger avsluttes',
  },
  'operators.update': {
    sv: 'Ändra en anställds namn, roll eller behörighet, eller stänga av den som slutat',
    nb: 'Endre en ansatts navn, rolle eller tilgang, eller stenge ute en som har sluttet',
  },
  'panels.create': {
    sv: 'Registrera kundens larmpanel så att dess signaler tas emot',
    nb: 'Registrere kundens alarmpanel slik at signalene fra den blir tatt imot',
  },
  'panels.events.receive': {
    sv: 'Ta emot signalerna från kundens larmpanel och hantera larmen de ger',
    nb: 'Ta imot signalene fra kundens alarmpanel og håndtere alarmene de utløser',
  },
  'panels.list': {
    sv: 'Visa kundens larmpaneler och om var och en fortfarande rapporterar',
    nb: 'Vise kundens alarmpaneler og om hvert av dem fortsatt rapporterer',
  },
  'panels.rotate_secret': {
    sv: 'Byta en larmpanels hemliga nyckel (t.ex. efter ett teknikerbesök eller en misstänkt läcka)',
    nb: 'Bytte et alarmpanels hemmelige nøkkel (f.eks. etter et teknikerbesøk eller en mistenkt lekkasje)',
  },
  'privacy.processing-log.read': {
    sv: 'Låta dataskyddsombudet se vad som gjorts med vems uppgifter, t.ex. för att besvara en begäran om tillgång',
    nb: 'La personvernombudet se hva som er gjort med hvem sine opplysninger, f.eks. for å svare på en forespørsel om innsyn',
  },
  'privacy.processing-log.record': {
    sv: 'Logga varje behandling av personuppgifter i en logg som bara kan läggas till och är hashkedjad, för att kunna visa att vi följer lagen',
    nb: 'Logge hver behandling av personopplysninger i en logg som bare kan legges til og er hasjkjedet, for å kunne vise at vi følger loven',
  },
  'privacy.processing-log.verify': {
    sv: 'Kontrollera att behandlingsloggen inte har ändrats (att ansvarsredovisningen är intakt)',
    nb: 'Kontrollere at behandlingsloggen ikke er endret (at dokumentasjonen av etterlevelse er intakt)',
  },
  'privacy.retention.alarm_history': {
    sv: 'Anonymisera larmhistorik när tiden för rättsliga anspråk har gått ut',
    nb: 'Anonymisere alarmhistorikk når fristen for rettskrav er ute',
  },
  'privacy.retention.former_customers': {
    sv: 'Radera tidigare kunder och borttagna larmkontakter när deras lagringstid har gått ut',
    nb: 'Slette tidligere kunder og fjernede alarmkontakter når lagringstiden deres er ute',
  },
  'privacy.retention.sms_bodies': { sv: 'Tömma texten i gamla sms', nb: 'Tømme teksten i gamle SMS-er' },
  'privacy.retention.supervision_signals': {
    sv: 'Radera gamla test- och övervakningssignaler från larmpaneler',
    nb: 'Slette gamle test- og overvåkingssignaler fra alarmpaneler',
  },
  'privacy.processor.sms_deletion': {
    sv: 'Radera sms-leverantörens kopia av meddelandena till och från en person som raderats, och av larmhistorik när dess lagringstid gått ut',
    nb: 'Slette SMS-leverandørens kopi av meldingene til og fra en person som er slettet, og av alarmhistorikk når lagringstiden er ute',
  },
  'privacy.ropa': {
    sv: 'Ta fram registret över behandlingar (art. 30) ur deklarationerna i koden',
    nb: 'Lage protokollen over behandlingsaktiviteter (art. 30) fra erklæringene i koden',
  },
  'privacy.subject.erasure': {
    sv: 'Radera en registrerad på begäran; anonymisera den larmhistorik som måste sparas för rättsliga anspråk (art. 17.3 e)',
    nb: 'Slette en registrert på forespørsel; anonymisere alarmhistorikken som må lagres for rettskrav (art. 17 nr. 3 e)',
  },
  'privacy.subject.export': {
    sv: 'Ge en registrerad en kopia av allt vi har om hen, i maskinläsbar form (tillgång och dataportabilitet)',
    nb: 'Gi en registrert en kopi av alt vi har om vedkommende, i maskinlesbar form (innsyn og dataportabilitet)',
  },
  'privacy.subject.restriction': {
    sv: 'Begränsa behandlingen av en registrerads uppgifter på begäran (lagras bara; larmmeddelanden skickas ändå), eller häva begränsningen',
    nb: 'Begrense behandlingen av en registrerts opplysninger på forespørsel (bare lagret; alarmmeldinger sendes likevel), eller oppheve begrensningen',
  },
  'sms.delivery_status': {
    sv: 'Registrera om ett sms levererades, så att larmkedjan går vidare direkt när det inte gjorde det',
    nb: 'Registrere om en SMS ble levert, slik at varslingen går videre med en gang når den ikke ble det',
  },
  'sms.inbound': {
    sv: 'Ta emot svar på våra sms: kvitteringskoder, invändningar (STOP) och återanmälningar (START); svara med en bekräftelse eller hjälptext; räkna felaktiga koder per nummer så att koder inte kan gissas',
    nb: 'Ta imot svar på SMS-ene våre: kvitteringskoder, protester (STOP) og ny påmelding (START); svare med en bekreftelse eller hjelpetekst; telle feil koder per nummer så koder ikke kan gjettes',
  },
  'sms.messages.list': {
    sv: 'Följa upp larm-sms, informationsmeddelanden och svar: vad som skickades till vem, varför och om det kom fram',
    nb: 'Følge opp alarm-SMS, informasjonsmeldinger og svar: hva som ble sendt til hvem, hvorfor og om det kom fram',
  },
  'sms.refused': {
    sv: 'Visa att sms som reglerna förbjuder (till en larmkontakt utanför ett larm, efter STOP, under en begränsning) stoppades och inte skickades',
    nb: 'Vise at SMS-er reglene forbyr (til en alarmkontakt utenom en alarm, etter STOP, under en begrensning) ble stoppet og ikke sendt',
  },
  'sms.send.alarm_contact': { sv: 'Nå en larmkontakt när ägaren inte kunde nås', nb: 'Nå en alarmkontakt når eieren ikke kunne nås' },
  'sms.send.alarm_owner': {
    sv: 'Berätta för ägaren att larmet har gått, med en kod för att kvittera det',
    nb: 'Fortelle eieren at alarmen har gått, med en kode for å kvittere den',
  },
  'sms.send.contact_notice': {
    sv: 'Berätta för en ny larmkontakt vilka vi är, vems kontakt hen är, vad det innebär och hur hen säger nej (art. 14)',
    nb: 'Fortelle en ny alarmkontakt hvem vi er, hvem sin kontakt vedkommende er, hva det betyr og hvordan man sier nei (art. 14)',
  },
  'statistics.read': {
    sv: 'Redovisa hur snabbt larmcentralen hanterar larm (tid till första sms, till operatörens hantering, till avslut; andel hanterade inom 30 och 60 s), per larmtyp och per operatör, och vilka lokaler som ger flest falsklarm, för att driva och certifiera larmcentralen (EN 50518) och följa upp falsklarm',
    nb: 'Rapportere hvor raskt alarmsentralen håndterer alarmer (tid til første SMS, til operatørens håndtering, til avslutning; andel håndtert innen 30 og 60 s), per alarmtype og per operatør, og hvilke lokaler som gir flest falske alarmer, for å drive og sertifisere alarmsentralen (EN 50518) og følge opp falske alarmer',
  },
  'panels.supervision.day': {
    sv: 'Redovisa i behandlingsloggen, en gång per dygn och larmpanel, de övervakningssignaler som kommit från kundens larmpanel',
    nb: 'Gjøre rede for i behandlingsloggen, én gang i døgnet per alarmpanel, de overvåkingssignalene som er mottatt fra kundens alarmpanel',
  },
  'privacy.processing-log.retention': {
    sv: 'Ta bort poster i behandlingsloggen som är äldre än loggens lagringstid och lämna en förseglad kontrollpunkt så att resten av kedjan fortfarande kan verifieras',
    nb: 'Fjerne oppføringer i behandlingsloggen som er eldre enn loggens lagringstid, og etterlate et forseglet kontrollpunkt slik at resten av kjeden fortsatt kan verifiseres',
  },
  'privacy.retention.disabled_operators': {
    sv: 'Radera konton för operatörer som varit avstängda längre än lagringstiden (aldrig den sista administratören)',
    nb: 'Slette kontoene til operatører som har vært deaktivert lenger enn lagringstiden (aldri den siste administratoren)',
  },
  'privacy.retention.erasure_records': {
    sv: 'Radera uppgifter om raderingar när ingen återställd säkerhetskopia längre kan föra tillbaka de raderade uppgifterna',
    nb: 'Slette opplysninger om slettinger når ingen gjenopprettet sikkerhetskopi lenger kan bringe tilbake de slettede opplysningene',
  },
  'privacy.retention.panel_silences': {
    sv: 'Radera gamla uppgifter om larmpaneler som tystnat, när panelen har hörts av igen',
    nb: 'Slette gamle opplysninger om alarmpaneler som ble stille, når panelet har meldt seg igjen',
  },
  'privacy.retention.unknown_senders': {
    sv: 'Radera sms från nummer som inte finns i registret, och de automatiska svaren till dem',
    nb: 'Slette SMS fra numre som ikke finnes i registeret, og de automatiske svarene til dem',
  },
  'privacy.retention.reply_codes': {
    sv: 'Radera svarskoder, och telefonnumren de skickades till, när larmet är avslutat',
    nb: 'Slette svarkoder, og telefonnumrene de ble sendt til, når alarmen er avsluttet',
  },
  'privacy.retention.expired_sessions_and_counters': {
    sv: 'Radera utgångna inloggningar, räknare för misslyckade inloggningar och räknare för felaktiga svarskoder',
    nb: 'Slette utløpte innlogginger, tellere for mislykkede innlogginger og tellere for feil svarkoder',
  },
  'privacy.retention.privacy_requests': {
    sv: 'Radera registrerade begäranden från registrerade som avslutades för längre sedan än lagringstiden',
    nb: 'Slette registrerte forespørsler fra registrerte som ble avsluttet for lenger siden enn lagringstiden',
  },
  'privacy.requests.register': {
    sv: 'Registrera en begäran från en registrerad (tillgång, rättelse, radering, begränsning, invändning, dataportabilitet) och dess svarsfrist',
    nb: 'Registrere en forespørsel fra en registrert (innsyn, retting, sletting, begrensning, innsigelse, dataportabilitet) og svarfristen',
  },
  'privacy.requests.read': {
    sv: 'Lista registrerades begäranden efter status och svarsfrist, så att ingen besvaras för sent',
    nb: 'Liste registrertes forespørsler etter status og svarfrist, slik at ingen besvares for sent',
  },
  'privacy.requests.update': {
    sv: 'Registrera identitetskontrollen, en förlängning och meddelandet om den (art. 12.3) eller utfallet av en registrerads begäran (art. 12.4)',
    nb: 'Registrere identitetskontrollen, en forlengelse og varselet om den (art. 12 nr. 3) eller utfallet av en registrerts forespørsel (art. 12 nr. 4)',
  },
  'privacy.requests.export': {
    sv: 'Ta fram den export som en begäran om tillgång eller dataportabilitet gäller, och registrera att den togs fram (dess hashvärde och storlek)',
    nb: 'Lage eksporten som en forespørsel om innsyn eller dataportabilitet gjelder, og registrere at den ble laget (hashverdi og størrelse)',
  },
  'privacy.requests.erasure': {
    sv: 'Genomföra en registrerads begäran om radering (som privacy.subject.erasure) och registrera svaret på begäran',
    nb: 'Gjennomføre en registrerts forespørsel om sletting (som privacy.subject.erasure) og registrere svaret på forespørselen',
  },
  'contacts.notice.resend': {
    sv: 'Skicka informationen till en larmkontakt (art. 14) igen när den inte kunde levereras',
    nb: 'Sende informasjonen til en alarmkontakt (art. 14) på nytt når den ikke kunne leveres',
  },
  'contacts.uninformed': {
    sv: 'Visa operatörerna vilka larmkontakter som aldrig fått informationen (art. 14-meddelandet levererades inte), så att numret kan rättas',
    nb: 'Vise operatørene hvilke alarmkontakter som aldri fikk informasjonen (art. 14-varselet ble ikke levert), slik at nummeret kan rettes',
  },
};

const ALARM_HISTORY_SV =
  'larmhistorik (händelser, larmkedja, sms, utfall) sparas i 10 år efter att larmet avslutats, för rättsliga anspråk (Sverige: preskriptionslagen 2 §; Norge: foreldelsesloven §§ 2, 3 och 10), och anonymiseras sedan: den kopplas bort från kunden, larmpanelen och kontakterna, utan namn, telefonnummer, anteckningar eller texter';
const ALARM_HISTORY_NB =
  'alarmhistorikk (hendelser, varsling, SMS, utfall) lagres i 10 år etter at alarmen ble avsluttet, for rettskrav (Norge: foreldelsesloven §§ 2, 3 og 10; Sverige: preskriptionslagen 2 §), og anonymiseres deretter: den kobles fra kunden, alarmpanelet og kontaktene, uten navn, telefonnumre, notater eller tekster';
const ERASED_EARLY_SV = 'raderas kunden före dess anonymiseras den larmhistorik som fortfarande behövs för anspråk, i stället för att sparas identifierbar';
const ERASED_EARLY_NB = 'slettes kunden før det, anonymiseres alarmhistorikken som fortsatt trengs for krav, i stedet for å lagres identifiserbar';
const FORMER_SV =
  'en tidigare kunds uppgifter, kontakter, larmpaneler och till- och frånkopplingar raderas 12 månader efter att avtalet upphört; larmhistoriken anonymiseras då (sparas för rättsliga anspråk, utan namn, telefonnummer, anteckningar eller meddelandetexter)';
const FORMER_NB =
  'en tidligere kundes opplysninger, kontakter, alarmpaneler og av- og påslag slettes 12 måneder etter at avtalen er slutt; alarmhistorikken anonymiseres da (lagres for rettskrav, uten navn, telefonnumre, notater eller meldingstekster)';
const SMS_SV = 'sms-texter töms 90 dagar efter meddelandet; nummer, ändamål, status och tider finns kvar i larmhistoriken';
const SMS_NB = 'SMS-tekster tømmes 90 dager etter meldingen; numre, formål, status og tidspunkter blir værende i alarmhistorikken';
const SUPERVISION_SV =
  'test- och övervakningssignaler som inte gav något larm raderas 90 dagar efter att de togs emot; tiden då larmpanelen senast hördes av finns kvar hos larmpanelen';
const SUPERVISION_NB =
  'test- og overvåkingssignaler som ikke utløste noen alarm, slettes 90 dager etter at de ble mottatt; tidspunktet alarmpanelet sist ble hørt fra, blir værende hos alarmpanelet';
const WITH_CUSTOMER_SV = 'sparas så länge kunden är kund och raderas med kundens uppgifter 12 månader efter att avtalet upphört';
const WITH_CUSTOMER_NB = 'lagres så lenge kunden er kunde og slettes med kundens opplysninger 12 måneder etter at avtalen er slutt';

/** Retention texts, by their exact English wording in the declarations. */
export const RETENTION_TRANSLATED: Record<string, Translation> = {
  'alarm history (events, escalation, SMS, outcomes) is kept 10 years after the alarm closed, for legal claims (Sweden: preskriptionslagen 2 §; Norway: foreldelsesloven §§ 2, 3 and 10), then anonymised: unlinked from the customer, panel and contacts, without names, phone numbers, notes or texts; when the customer record is erased before that, alarm history still needed for claims is anonymised, not kept identifiable':
    { sv: `${ALARM_HISTORY_SV}; ${ERASED_EARLY_SV}`, nb: `${ALARM_HISTORY_NB}; ${ERASED_EARLY_NB}` },
  'while employed; sessions end after SESSION_TTL_SECONDS; failed-login counters after at most 1 hour': {
    sv: 'under anställningen; inloggningar upphör efter den inställda sessionstiden; räknare för misslyckade inloggningar efter högst 1 timme',
    nb: 'mens vedkommende er ansatt; innlogginger utløper etter den innstilte øktlengden; tellere for mislykkede innlogginger etter høyst 1 time',
  },
  "while the customer's contract lasts and the contact is on their list, then 12 months; a contact removed by the customer, or who objects (STOP), is no longer texted and is erased at the end of that period":
    {
      sv: 'så länge kundens avtal gäller och kontakten står på kundens lista, därefter 12 månader; en kontakt som kunden tagit bort, eller som invänt (STOP), sms:as inte längre och raderas när den tiden gått ut',
      nb: 'så lenge kundens avtale varer og kontakten står på kundens liste, deretter 12 måneder; en kontakt som kunden har fjernet, eller som har protestert (STOP), får ikke lenger SMS og slettes når den tiden er ute',
    },
  "while the alarm contract lasts; then a former customer's record, contacts, panels and arm/disarm history are erased 12 months after the contract ends; their alarm history is anonymised then (kept for legal claims, without names, phone numbers, notes or message texts)":
    { sv: `så länge larmavtalet gäller; därefter: ${FORMER_SV}`, nb: `så lenge alarmavtalen varer; deretter: ${FORMER_NB}` },
  'arm/disarm history is kept while the customer is a customer and erased with their record 12 months after the contract ends': {
    sv: `historiken över till- och frånkopplingar ${WITH_CUSTOMER_SV}`,
    nb: `historikken over av- og påslag ${WITH_CUSTOMER_NB}`,
  },
  'stored encrypted while the contract lasts; erased with the customer record 12 months after the contract ends; never sent by SMS or written to logs': {
    sv: 'lagras krypterat så länge avtalet gäller; raderas med kundens uppgifter 12 månader efter att avtalet upphört; skickas aldrig i sms och skrivs aldrig i loggar',
    nb: 'lagres kryptert så lenge avtalen varer; slettes med kundens opplysninger 12 måneder etter at avtalen er slutt; sendes aldri på SMS og skrives aldri i logger',
  },
  "while the alarm contract lasts; erased with the customer record (a former customer's record, contacts, panels and arm/disarm history are erased 12 months after the contract ends; their alarm history is anonymised then (kept for legal claims, without names, phone numbers, notes or message texts))":
    {
      sv: `så länge larmavtalet gäller; raderas med kundens uppgifter (${FORMER_SV})`,
      nb: `så lenge alarmavtalen varer; slettes med kundens opplysninger (${FORMER_NB})`,
    },
  "stored encrypted; while the alarm contract lasts; erased with the customer record (a former customer's record, contacts, panels and arm/disarm history are erased 12 months after the contract ends; their alarm history is anonymised then (kept for legal claims, without names, phone numbers, notes or message texts)); never sent by SMS or written to logs":
    {
      sv: `lagras krypterat; så länge larmavtalet gäller; raderas med kundens uppgifter (${FORMER_SV}); skickas aldrig i sms och skrivs aldrig i loggar`,
      nb: `lagres kryptert; så lenge alarmavtalen varer; slettes med kundens opplysninger (${FORMER_NB}); sendes aldri på SMS og skrives aldri i logger`,
    },
  'not stored: read from the registers for the screen': {
    sv: 'sparas inte: läses ur registren för skärmen',
    nb: 'lagres ikke: leses fra registrene for skjermen',
  },
  'while the alarm contract lasts; erased with the customer record 12 months after the contract ends': {
    sv: 'så länge larmavtalet gäller; raderas med kundens uppgifter 12 månader efter att avtalet upphört',
    nb: 'så lenge alarmavtalen varer; slettes med kundens opplysninger 12 måneder etter at avtalen er slutt',
  },
  'signals about an alarm (that opened, joined or restored it): alarm history (events, escalation, SMS, outcomes) is kept 10 years after the alarm closed, for legal claims (Sweden: preskriptionslagen 2 §; Norway: foreldelsesloven §§ 2, 3 and 10), then anonymised: unlinked from the customer, panel and contacts, without names, phone numbers, notes or texts; when the customer record is erased before that, alarm history still needed for claims is anonymised, not kept identifiable; test signals and heartbeats that raised no alarm are deleted 90 days after they were received; the time the panel was last heard from stays with the panel; every other signal (arm/disarm, a restore with no alarm open) is kept while the customer is a customer and erased with their record 12 months after the contract ends':
    {
      sv: `signaler om ett larm (som öppnade, anslöt till eller återställde det): ${ALARM_HISTORY_SV}; ${ERASED_EARLY_SV}; ${SUPERVISION_SV}; alla andra signaler (till- och frånkoppling, en återställning utan öppet larm) ${WITH_CUSTOMER_SV}`,
      nb: `signaler om en alarm (som åpnet, sluttet seg til eller tilbakestilte den): ${ALARM_HISTORY_NB}; ${ERASED_EARLY_NB}; ${SUPERVISION_NB}; alle andre signaler (av- og påslag, en tilbakestilling uten åpen alarm) ${WITH_CUSTOMER_NB}`,
    },
  'append-only: entries are never changed or removed by the application; they hold ids only, so once a subject is erased or anonymised elsewhere the entries no longer identify them. A pruning period is not set yet':
    {
      sv: 'bara tillägg: posterna ändras eller tas aldrig bort av systemet; de innehåller bara id:n, så när en person har raderats eller anonymiserats på annat håll identifierar posterna hen inte längre. Någon gallringstid är ännu inte fastställd',
      nb: 'bare tillegg: oppføringene endres eller fjernes aldri av systemet; de inneholder bare id-er, så når en person er slettet eller anonymisert andre steder, identifiserer oppføringene vedkommende ikke lenger. Noen slettefrist er ennå ikke fastsatt',
    },
  'alarm history (events, escalation, SMS, outcomes) is kept 10 years after the alarm closed, for legal claims (Sweden: preskriptionslagen 2 §; Norway: foreldelsesloven §§ 2, 3 and 10), then anonymised: unlinked from the customer, panel and contacts, without names, phone numbers, notes or texts':
    { sv: ALARM_HISTORY_SV, nb: ALARM_HISTORY_NB },
  "a former customer's record, contacts, panels and arm/disarm history are erased 12 months after the contract ends; their alarm history is anonymised then (kept for legal claims, without names, phone numbers, notes or message texts); an alarm contact removed from a customer's list, or who objected (STOP), is erased 12 months after removal or objection (the opt-out of their number is kept, so the objection keeps being honoured)":
    {
      sv: `${FORMER_SV}; en larmkontakt som tagits bort från en kunds lista, eller som invänt (STOP), raderas 12 månader efter borttagandet eller invändningen (spärren för numret sparas, så att invändningen fortsätter att gälla)`,
      nb: `${FORMER_NB}; en alarmkontakt som er fjernet fra en kundes liste, eller som har protestert (STOP), slettes 12 måneder etter fjerningen eller protesten (sperren for nummeret lagres, så protesten fortsatt blir respektert)`,
    },
  'SMS texts are blanked 90 days after the message; numbers, purpose, status and times stay with the alarm history': { sv: SMS_SV, nb: SMS_NB },
  'test signals and heartbeats that raised no alarm are deleted 90 days after they were received; the time the panel was last heard from stays with the panel':
    { sv: SUPERVISION_SV, nb: SUPERVISION_NB },
  'not stored: generated on each request from the code and the configuration': {
    sv: 'sparas inte: skapas vid varje förfrågan ur koden och inställningarna',
    nb: 'lagres ikke: lages ved hver forespørsel fra koden og innstillingene',
  },
  'the erasure record (ids, when, what was done) is kept as proof the request was carried out; the processing log entry likewise': {
    sv: 'raderingsposten (id:n, när, vad som gjordes) sparas som bevis på att begäran genomfördes; likaså posten i behandlingsloggen',
    nb: 'sletteoppføringen (id-er, når, hva som ble gjort) lagres som bevis på at forespørselen ble gjennomført; det samme gjør oppføringen i behandlingsloggen',
  },
  'not stored: generated on each request': { sv: 'sparas inte: skapas vid varje begäran', nb: 'lagres ikke: lages ved hver forespørsel' },
  'with the customer or contact record': { sv: 'med kundens eller kontaktens uppgifter', nb: 'med kundens eller kontaktens opplysninger' },
  'SMS texts are blanked 90 days after the message; numbers, purpose, status and times stay with the alarm history (retention job privacy.retention.sms_bodies)':
    { sv: SMS_SV, nb: SMS_NB },
  'SMS texts are blanked 90 days after the message; numbers, purpose, status and times stay with the alarm history (retention job privacy.retention.sms_bodies); opt-outs: as long as the objection stands; wrong-code counts: while their 15-minute window runs (removed after it, as further wrong codes arrive)':
    {
      sv: `${SMS_SV}; spärrar efter STOP: så länge invändningen står fast; räknare för felaktiga koder: under sitt fönster på 15 minuter (tas bort efter det, när fler felaktiga koder kommer)`,
      nb: `${SMS_NB}; sperrer etter STOP: så lenge protesten står ved lag; tellere for feil koder: i sitt vindu på 15 minutter (fjernes etter det, når flere feil koder kommer)`,
    },
  'with the processing log': { sv: 'med behandlingsloggen', nb: 'med behandlingsloggen' },
  'until the provider confirms the deletion': { sv: 'tills leverantören bekräftat raderingen', nb: 'til leverandøren har bekreftet slettingen' },
  'not stored: computed on each request from the alarm history, which keeps its own retention': {
    sv: 'sparas inte: räknas fram vid varje förfrågan ur larmhistoriken, som har sin egen lagringstid',
    nb: 'lagres ikke: regnes ut ved hver forespørsel fra alarmhistorikken, som har sin egen lagringstid',
  },
  deleted: {
    sv: 'raderas',
    nb: 'slettes',
  },
  'deleted; the log entry names no subject, so it is not a new link to the erased ids': {
    sv: 'raderas; loggposten nämner ingen registrerad, så den blir ingen ny länk till de raderade id-numren',
    nb: 'slettes; loggoppføringen nevner ingen registrert, så den blir ingen ny kobling til de slettede id-ene',
  },
  'deleted; the log entry names the subjects whose requests went, as every retention job does': {
    sv: 'raderas; loggposten nämner de registrerade vars begäranden raderades, som varje gallringsjobb gör',
    nb: 'slettes; loggoppføringen nevner de registrerte hvis forespørsler ble slettet, slik hver slettejobb gjør',
  },
  'the account row stays, erased, so alarm timelines and the processing log keep referring to "an erased operator"': {
    sv: 'kontoraden finns kvar, raderad, så att larmens händelseförlopp och behandlingsloggen fortsätter att hänvisa till "en raderad operatör"',
    nb: 'kontoraden blir stående, slettet, slik at alarmenes hendelsesforløp og behandlingsloggen fortsatt viser til "en slettet operatør"',
  },
  'the count of the current day until it is closed (the next hour after midnight UTC), then one processing-log entry, kept as the log is': {
    sv: 'antalet för innevarande dygn tills dygnet stängs (timmen efter midnatt UTC), sedan en post i behandlingsloggen, som sparas som loggen',
    nb: 'antallet for inneværende døgn til døgnet lukkes (timen etter midnatt UTC), deretter én oppføring i behandlingsloggen, som lagres som loggen',
  },
  'three years after the request was closed, to show the supervisory authority how it was answered (Art. 5(2))': {
    sv: 'tre år efter att begäran avslutades, för att kunna visa tillsynsmyndigheten hur den besvarades (art. 5.2)',
    nb: 'tre år etter at forespørselen ble avsluttet, for å kunne vise tilsynsmyndigheten hvordan den ble besvart (art. 5 nr. 2)',
  },
  'while employed; 12 months after the account is disabled, name, email, password hash and sessions are erased (the id stays, for alarm timelines and the processing log); sessions are deleted once expired; failed-login counters after at most 2 hours':
    {
      sv: 'under anställningen; 12 månader efter att kontot stängts av raderas namn, e-post, lösenordshash och inloggningar (id-numret finns kvar, för larmens händelseförlopp och behandlingsloggen); inloggningar raderas när de gått ut; räknare för misslyckade inloggningar efter högst 2 timmar',
      nb: 'mens vedkommende er ansatt; 12 måneder etter at kontoen er deaktivert, slettes navn, e-post, passordhash og innlogginger (id-en blir stående, for alarmenes hendelsesforløp og behandlingsloggen); innlogginger slettes når de er utløpt; tellere for mislykkede innlogginger etter høyst 2 timer',
    },
  'ten years, then removed by a nightly job under a sealed checkpoint. Ten years because the log accounts for the longest-kept records (the alarm history, ten years): what was done with them can be shown while they exist, and an entry older than that has nothing left to account for. Otherwise append-only: an entry is never changed, and is removed only oldest first, only once older than ten years (the database refuses anything younger, whatever the application asks), and only by writing a checkpoint of what was removed (how many entries of each operation, which positions, the hash the kept chain links to), itself hashed and recorded in the log, so the rest of the chain can still be verified. Entries hold ids only, so once a subject is erased or anonymised elsewhere they no longer identify them':
    {
      sv: 'tio år, sedan tas posterna bort av ett nattligt jobb under en förseglad kontrollpunkt. Tio år eftersom loggen redovisar för de uppgifter som sparas längst (larmhistoriken, tio år): vad som gjorts med dem kan visas så länge de finns, och en post som är äldre än så har inget kvar att redovisa för. I övrigt kan loggen bara läggas till: en post ändras aldrig och tas bara bort äldst först, först när den är äldre än tio år (databasen vägrar allt yngre, vad applikationen än begär), och bara genom att en kontrollpunkt skrivs över det som togs bort (hur många poster av varje slag, vilka positioner, hashvärdet som den kvarvarande kedjan länkar till), själv hashad och registrerad i loggen, så att resten av kedjan fortfarande kan verifieras. Posterna innehåller bara id-nummer, så när en registrerad raderats eller anonymiserats på annat håll identifierar de inte längre personen',
      nb: 'ti år, deretter fjernes oppføringene av en nattlig jobb under et forseglet kontrollpunkt. Ti år fordi loggen gjør rede for opplysningene som lagres lengst (alarmhistorikken, ti år): hva som er gjort med dem, kan vises så lenge de finnes, og en oppføring som er eldre enn det, har ingenting igjen å gjøre rede for. Ellers kan loggen bare utvides: en oppføring endres aldri og fjernes bare eldst først, først når den er eldre enn ti år (databasen nekter alt yngre, uansett hva applikasjonen ber om), og bare ved at det skrives et kontrollpunkt over det som ble fjernet (hvor mange oppføringer av hvert slag, hvilke posisjoner, hashverdien den gjenværende kjeden lenker til), selv hashet og registrert i loggen, slik at resten av kjeden fortsatt kan verifiseres. Oppføringene inneholder bare id-er, så når en registrert er slettet eller anonymisert andre steder, identifiserer de ikke lenger personen',
    },
};
