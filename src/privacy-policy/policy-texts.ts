import type { SmsLanguage } from '../sms/texts.js';

/**
 * The privacy policy's words, per version and language. Written for this product (an alarm
 * central that keeps customers and the alarm contacts they name, and texts them through Twilio);
 * what it says must stay true of the code: the table of processing under it is generated from the
 * same declarations as the record of processing, so purposes, bases and retention cannot drift.
 *
 * `{controller}`, `{controllerOrgNumber}`, `{controllerAddress}`, `{controllerContact}`, `{dpo}` and `{company}`
 * are filled in (escaped) when rendered.
 * Paragraphs are plain text; the renderer escapes them.
 */

export interface PolicySection {
  heading: string;
  paragraphs: string[];
  /** A bullet list after the paragraphs. */
  items?: string[];
  /** What an export quotes to its subject (Art. 14(2)(f), 15(1)(e)-(f)): see subject-rights.ts. */
  about?: 'alarm-contact-source' | 'rights' | 'contact-us';
}

export interface PolicyText {
  title: string;
  intro: string;
  sections: PolicySection[];
  tableHeading: string;
  tableIntro: string;
  columns: { purpose: string; legalBasis: string; subjects: string; recipients: string; retention: string; transfers: string; specialCategories: string };
  /** The list of processors, generated from recipients.ts. */
  processorsHeading: string;
  processorsIntro: string;
  processorLabels: { data: string; transfer: string; retention: string };
  versionLine: string;
  otherLanguages: string;
  superseded: string;
}

const V_2026_11_23: Record<SmsLanguage, PolicyText> = {
  en: {
    title: 'Privacy policy',
    intro:
      "{company} runs an alarm central: when a customer's home alarm goes off, we text the customer first, and the alarm contacts the customer has named only if we cannot reach the customer. This policy explains what personal data we process for that, why, on what legal basis, for how long, who else sees it, and what your rights are.",
    sections: [
      {
        heading: 'Who is responsible',
        paragraphs: [
          'The controller is {controller} (contact: {controllerContact}).',
          'Organisation number: {controllerOrgNumber}. Postal address: {controllerAddress}.',
          'Our data protection officer can be reached at {dpo}.',
        ],
      },
      {
        heading: 'Whose data we process',
        paragraphs: ['Alarm customers; the alarm contacts ("keyholders") a customer names; anyone who texts our alarm-central number; our own operators.'],
      },
      {
        heading: "If you are someone's alarm contact",
        about: 'alarm-contact-source',
        paragraphs: [
          'We did not get your details from you: the customer who named you as their alarm contact gave us your name and mobile number (and, if they chose to, your email address and how you are related). We sent you one SMS to tell you so.',
          "We text you only if the customer's alarm goes off and we cannot reach the customer. We never send you marketing or status reports.",
          'Our SMS go through our processor Twilio Inc. in the United States, under a data processing agreement (GDPR Art. 28) and the safeguards for transfers described below; our data protection officer gives you a copy of the agreement on request.',
          "We keep your details because it is in the customer's and our legitimate interest that someone can be reached when an alarm goes off (GDPR Art. 6(1)(f)); for fire, gas, medical and panic alarms the alarm SMS is sent to protect someone's vital interests (Art. 6(1)(d)). Telling you about it is our legal obligation (Art. 6(1)(c), Art. 14).",
          'You can object at any time (Art. 21): reply STOP to any of our SMS. We then never text you again, and the customer sees that you have said no.',
        ],
      },
      {
        heading: 'If you are a customer',
        paragraphs: [
          'We process your name, mobile number, email, postal and alarm addresses, language, your alarm panels and their signals, arming history, alarms and what was done about them, to deliver the alarm service you signed up for (Art. 6(1)(b), contract).',
          'If you give us your national identity number (personnummer or fødselsnummer), we use it only to identify you securely. It is stored encrypted, shown masked, every look at it is logged, and it is never put in an SMS.',
          'When you name alarm contacts, please tell them; we also send each of them a short SMS about it.',
        ],
      },
      {
        heading: 'Who else sees your data',
        paragraphs: [
          'Our alarm-central operators, as far as their role needs. Our processors (listed below) handle data on our behalf: Twilio Inc. sends and receives our SMS, and our hosting provider runs our servers and database; your mobile operator delivers them. When an alarm needs it, a guard company, the emergency services or the police get what they need to respond; the police also get data when they request it under the law. When the owner cannot be reached, the alarm contacts the customer named are told about the alarm.',
          'Every processor works under a data processing agreement with us (GDPR Art. 28), which sets what it may do with the data; our data protection officer ({dpo}) gives you a copy on request.',
          "Twilio processes messages in the United States. That transfer outside the EU/EEA relies on the EU-US Data Privacy Framework (GDPR Art. 45) and on the European Commission's Standard Contractual Clauses (GDPR Art. 46(2)(c)). You can read the clauses on the Commission's website and check Twilio's certification on the Data Privacy Framework list (links below); our data protection officer sends you a copy of the safeguards on request.",
          'We do not sell personal data, use it for marketing to alarm contacts, or make automated decisions about anyone.',
        ],
      },
      {
        heading: 'How long we keep it',
        paragraphs: [
          "Each kind of processing has its own retention, listed in the table below. The main periods: the text of every SMS is deleted from our system 90 days after it was sent (Twilio's own copy: see the list of processors below); test signals and heartbeats 90 days after they arrive; a customer's details, contacts and panels 12 months after the contract ends; an alarm contact 12 months after being removed or replying STOP; alarm history 10 years after the alarm closed, and then it is anonymised. The processing log is kept to show that we follow the law.",
          'Why 10 years: claims about an alarm handled badly can be made that long. In Sweden the limitation period is 10 years (preskriptionslagen 2 §). In Norway a contract claim is time-barred 3 years after it could first be demanded (foreldelsesloven §§ 2 and 3), but a claim the customer could not know about gets an additional period (§ 10) with an absolute limit of 10 years. We keep the history for the longest of these periods.',
        ],
      },
      {
        heading: 'Health data',
        paragraphs: [
          "A medical alarm (including fall and assistance alarms) tells us that someone at the address needed medical help, and the operators' notes and the customer's own procedure for it may say why. That is health data, a special category of personal data (GDPR Art. 9). We process it to handle the alarm where the person cannot consent at that moment, to protect their life (Art. 9(2)(c)), and otherwise on the explicit consent given in the contract for medical-alarm monitoring (Art. 9(2)(a)); we keep it in the alarm history for legal claims (Art. 9(2)(f)). The table below shows which processing includes it.",
        ],
      },
      {
        heading: 'Your rights',
        about: 'rights',
        paragraphs: ['You have the right to:'],
        items: [
          'get a copy of your data and information about how it is used (access, Art. 15), also in a machine-readable form (portability, Art. 20);',
          'have wrong data corrected (Art. 16) and, where the law allows, erased (Art. 17); alarm history needed for legal claims is anonymised rather than kept identifiable;',
          'have processing restricted (Art. 18): your data is then only stored, except that alarm texts still go out when your alarm goes off, to protect the people at your home and your neighbours (Art. 18(2)); alarm contacts who have had alarm texts about you are told of the restriction (Art. 19), and we tell you before we lift it (Art. 18(3));',
          'object to processing based on legitimate interests (Art. 21); as an alarm contact, reply STOP;',
          'complain to a supervisory authority: in Sweden Integritetsskyddsmyndigheten (IMY, imy.se), in Norway Datatilsynet (datatilsynet.no), or the authority where you live or work.',
        ],
      },
      {
        heading: 'How to contact us',
        about: 'contact-us',
        paragraphs: ['Write to {controllerContact}, or to our data protection officer at {dpo}. We answer within one month.'],
      },
    ],
    tableHeading: 'What we process, why, and on what legal basis',
    tableIntro:
      'This table is generated from the same declarations in our system as our record of processing activities (GDPR Art. 30), so it always shows what the system actually does.',
    columns: {
      purpose: 'Purpose',
      legalBasis: 'Legal basis',
      subjects: 'Whose data',
      recipients: 'Recipients',
      retention: 'Kept for',
      transfers: 'Outside the EU/EEA',
      specialCategories: 'Special categories (Art. 9)',
    },
    processorsHeading: 'Our processors',
    processorsIntro:
      'These companies process personal data on our behalf, each under a data processing agreement (GDPR Art. 28); our data protection officer ({dpo}) gives you a copy on request.',
    processorLabels: { data: 'What data', transfer: 'Outside the EU/EEA', retention: 'Their own copy' },
    versionLine: 'Version {version}.',
    otherLanguages: 'Other languages',
    superseded: 'This version has been replaced by version {current}.',
  },
  sv: {
    title: 'Integritetspolicy',
    intro:
      '{company} driver en larmcentral: när en kunds hemlarm går sms:ar vi först kunden, och bara om vi inte når kunden de larmkontakter som kunden har angett. Här beskriver vi vilka personuppgifter vi behandlar för det, varför, med vilken rättslig grund, hur länge, vilka andra som får ta del av dem och vilka rättigheter du har.',
    sections: [
      {
        heading: 'Vem är ansvarig',
        paragraphs: [
          'Personuppgiftsansvarig är {controller} (kontakt: {controllerContact}).',
          'Organisationsnummer: {controllerOrgNumber}. Postadress: {controllerAddress}.',
          'Vårt dataskyddsombud nås på {dpo}.',
        ],
      },
      {
        heading: 'Vems uppgifter vi behandlar',
        paragraphs: ['Larmkunder, de larmkontakter som en kund anger, den som sms:ar till larmcentralens nummer, och våra egna operatörer.'],
      },
      {
        heading: 'Om du är någons larmkontakt',
        about: 'alarm-contact-source',
        paragraphs: [
          'Vi har inte fått dina uppgifter från dig: kunden som angett dig som larmkontakt har lämnat ditt namn och mobilnummer (och om kunden valt det din e-postadress och er relation). Vi har skickat ett sms till dig om det.',
          'Vi sms:ar dig bara om kundens larm går och vi inte når kunden. Vi skickar aldrig reklam eller statusrapporter till dig.',
          'Våra sms går via vårt personuppgiftsbiträde Twilio Inc. i USA, enligt ett personuppgiftsbiträdesavtal (GDPR art. 28) och de skyddsåtgärder för överföringen som beskrivs nedan; vårt dataskyddsombud ger dig en kopia av avtalet på begäran.',
          'Vi sparar dina uppgifter eftersom kunden och vi har ett berättigat intresse av att någon kan nås när larmet går (GDPR art. 6.1 f); vid brand-, gas-, medicinska larm och överfallslarm skickas larm-sms för att skydda någons grundläggande intressen (art. 6.1 d). Att informera dig är vår rättsliga förpliktelse (art. 6.1 c, art. 14).',
          'Du kan när som helst invända (art. 21): svara STOP på något av våra sms. Då sms:ar vi dig aldrig igen, och kunden ser att du har sagt nej.',
        ],
      },
      {
        heading: 'Om du är kund',
        paragraphs: [
          'Vi behandlar ditt namn, mobilnummer, e-post, post- och larmadress, språk, dina larmpaneler och deras signaler, till- och frånkopplingar, larm och vad som gjordes åt dem, för att leverera larmtjänsten enligt vårt avtal (art. 6.1 b).',
          'Om du lämnar ditt personnummer använder vi det bara för säker identifiering. Det lagras krypterat, visas maskerat, varje visning loggas, och det skrivs aldrig i ett sms.',
          'När du anger larmkontakter, berätta gärna för dem; vi skickar också var och en ett kort sms om det.',
        ],
      },
      {
        heading: 'Vilka andra som får ta del av uppgifterna',
        paragraphs: [
          'Våra operatörer på larmcentralen, i den mån deras roll kräver det. Våra personuppgiftsbiträden (se listan nedan) behandlar uppgifter för vår räkning: Twilio Inc. skickar och tar emot våra sms, och vår driftleverantör driver våra servrar och vår databas; din mobiloperatör levererar dem. När ett larm kräver det får ett vaktbolag, räddningstjänst, ambulans eller polis det de behöver för att rycka ut; polisen får också uppgifter när den begär ut dem med stöd av lag. När ägaren inte nås får de larmkontakter som kunden angett veta om larmet.',
          'Varje personuppgiftsbiträde arbetar enligt ett personuppgiftsbiträdesavtal med oss (GDPR art. 28) som styr vad det får göra med uppgifterna; vårt dataskyddsombud ({dpo}) ger dig en kopia på begäran.',
          'Twilio behandlar meddelanden i USA. Den överföringen utanför EU/EES grundar sig på EU–US Data Privacy Framework (GDPR art. 45) och på EU-kommissionens standardavtalsklausuler (GDPR art. 46.2 c). Klausulerna finns på kommissionens webbplats och Twilios certifiering på förteckningen över Data Privacy Framework (länkar nedan); vårt dataskyddsombud skickar en kopia av skyddsåtgärderna på begäran.',
          'Vi säljer inte personuppgifter, använder dem inte för marknadsföring till larmkontakter och fattar inga automatiserade beslut om någon.',
        ],
      },
      {
        heading: 'Hur länge vi sparar uppgifterna',
        paragraphs: [
          'Varje behandling har sin egen lagringstid, som står i tabellen nedan. De viktigaste tiderna: texten i varje sms raderas ur vårt system 90 dagar efter att det skickades (Twilios egen kopia: se listan över personuppgiftsbiträden nedan); test- och övervakningssignaler 90 dagar efter att de kom in; en kunds uppgifter, kontakter och larmpaneler 12 månader efter att avtalet upphört; en larmkontakt 12 månader efter att hen tagits bort eller svarat STOP; larmhistorik 10 år efter att larmet avslutats, och därefter anonymiseras den (gallring). Behandlingsloggen sparas för att visa att vi följer lagen.',
          'Varför 10 år: anspråk på grund av ett larm som hanterats fel kan framställas så länge. I Sverige är preskriptionstiden 10 år (preskriptionslagen 2 §). I Norge preskriberas ett avtalskrav 3 år efter att det tidigast kunde krävas (foreldelsesloven §§ 2 och 3), men ett krav som kunden inte kunde känna till får en tilläggsfrist (§ 10) med en absolut gräns på 10 år. Vi sparar historiken under den längsta av dessa tider.',
        ],
      },
      {
        heading: 'Hälsouppgifter',
        paragraphs: [
          'Ett medicinskt larm (även fall- och trygghetslarm) säger oss att någon på adressen behövde vård, och operatörernas anteckningar och kundens egen rutin för larmet kan säga varför. Det är hälsouppgifter, en särskild kategori av personuppgifter (GDPR art. 9). Vi behandlar dem för att hantera larmet när personen inte kan samtycka i stunden, för att skydda hens liv (art. 9.2 c), och i övrigt med det uttryckliga samtycke som lämnats i avtalet om medicinsk larmövervakning (art. 9.2 a); i larmhistoriken sparar vi dem för rättsliga anspråk (art. 9.2 f). Tabellen nedan visar vilka behandlingar som omfattar dem.',
        ],
      },
      {
        heading: 'Dina rättigheter',
        about: 'rights',
        paragraphs: ['Du har rätt att:'],
        items: [
          'få en kopia av dina uppgifter och information om hur de används (tillgång, art. 15), även i maskinläsbar form (dataportabilitet, art. 20);',
          'få felaktiga uppgifter rättade (art. 16) och, där lagen tillåter, raderade (art. 17); larmhistorik som behövs för rättsliga anspråk anonymiseras i stället för att sparas identifierbar;',
          'få behandlingen begränsad (art. 18): då lagras uppgifterna bara, utom att larm-sms fortfarande skickas när ditt larm går, för att skydda dem som är i ditt hem och dina grannar (art. 18.2); larmkontakter som har fått larm-sms om dig får veta om begränsningen (art. 19), och vi meddelar dig innan vi häver den (art. 18.3);',
          'invända mot behandling som grundas på berättigat intresse (art. 21); som larmkontakt svarar du STOP;',
          'klaga hos en tillsynsmyndighet: i Sverige Integritetsskyddsmyndigheten (IMY, imy.se), i Norge Datatilsynet (datatilsynet.no), eller myndigheten där du bor eller arbetar.',
        ],
      },
      {
        heading: 'Kontakta oss',
        about: 'contact-us',
        paragraphs: ['Skriv till {controllerContact}, eller till vårt dataskyddsombud på {dpo}. Vi svarar inom en månad.'],
      },
    ],
    tableHeading: 'Vad vi behandlar, varför och med vilken rättslig grund',
    tableIntro:
      'Tabellen skapas ur samma deklarationer i vårt system som vårt register över behandlingar (GDPR art. 30), så den visar alltid vad systemet faktiskt gör.',
    columns: {
      purpose: 'Ändamål',
      legalBasis: 'Rättslig grund',
      subjects: 'Vems uppgifter',
      recipients: 'Mottagare',
      retention: 'Sparas',
      transfers: 'Utanför EU/EES',
      specialCategories: 'Känsliga uppgifter (art. 9)',
    },
    processorsHeading: 'Våra personuppgiftsbiträden',
    processorsIntro:
      'Dessa företag behandlar personuppgifter för vår räkning, vart och ett enligt ett personuppgiftsbiträdesavtal (GDPR art. 28); vårt dataskyddsombud ({dpo}) ger dig en kopia på begäran.',
    processorLabels: { data: 'Vilka uppgifter', transfer: 'Utanför EU/EES', retention: 'Deras egen kopia' },
    versionLine: 'Version {version}.',
    otherLanguages: 'Andra språk',
    superseded: 'Den här versionen har ersatts av version {current}.',
  },
  nb: {
    title: 'Personvernerklæring',
    intro:
      '{company} driver en alarmsentral: når en kundes boligalarm går, sender vi SMS først til kunden, og bare hvis vi ikke når kunden, til alarmkontaktene kunden har oppgitt. Her forklarer vi hvilke personopplysninger vi behandler for dette, hvorfor, med hvilket rettslig grunnlag, hvor lenge, hvem andre som får dem, og hvilke rettigheter du har.',
    sections: [
      {
        heading: 'Hvem er ansvarlig',
        paragraphs: [
          'Behandlingsansvarlig er {controller} (kontakt: {controllerContact}).',
          'Organisasjonsnummer: {controllerOrgNumber}. Postadresse: {controllerAddress}.',
          'Vårt personvernombud nås på {dpo}.',
        ],
      },
      {
        heading: 'Hvem vi behandler opplysninger om',
        paragraphs: ['Alarmkunder, alarmkontaktene en kunde oppgir, alle som sender SMS til alarmsentralens nummer, og våre egne operatører.'],
      },
      {
        heading: 'Hvis du er noens alarmkontakt',
        about: 'alarm-contact-source',
        paragraphs: [
          'Vi har ikke fått opplysningene fra deg: kunden som har oppgitt deg som alarmkontakt, har gitt oss navnet og mobilnummeret ditt (og, hvis kunden valgte det, e-postadressen din og hvordan dere kjenner hverandre). Vi har sendt deg én SMS om dette.',
          'Vi sender deg SMS bare hvis kundens alarm går og vi ikke når kunden. Vi sender deg aldri reklame eller statusrapporter.',
          'SMS-ene våre går gjennom databehandleren vår Twilio Inc. i USA, etter en databehandleravtale (GDPR art. 28) og garantiene for overføringen som er beskrevet nedenfor; personvernombudet vårt gir deg en kopi av avtalen på forespørsel.',
          'Vi lagrer opplysningene fordi kunden og vi har en berettiget interesse i at noen kan nås når alarmen går (GDPR art. 6 nr. 1 f); ved brann-, gass-, medisinske alarmer og overfallsalarmer sendes alarm-SMS for å verne noens vitale interesser (art. 6 nr. 1 d). Å informere deg er vår rettslige plikt (art. 6 nr. 1 c, art. 14).',
          'Du kan når som helst protestere (art. 21): svar STOP på en av våre SMS-er. Da sender vi deg aldri SMS igjen, og kunden ser at du har sagt nei.',
        ],
      },
      {
        heading: 'Hvis du er kunde',
        paragraphs: [
          'Vi behandler navn, mobilnummer, e-post, post- og alarmadresse, språk, alarmpanelene dine og signalene deres, av- og påslag, alarmer og hva som ble gjort, for å levere alarmtjenesten etter avtalen vår (art. 6 nr. 1 b).',
          'Hvis du gir oss fødselsnummeret ditt, bruker vi det bare til sikker identifisering. Det lagres kryptert, vises maskert, hver visning logges, og det settes aldri i en SMS.',
          'Når du oppgir alarmkontakter, si gjerne fra til dem; vi sender også hver av dem en kort SMS om det.',
        ],
      },
      {
        heading: 'Hvem andre får opplysningene',
        paragraphs: [
          'Operatørene våre på alarmsentralen, så langt rollen deres krever. Databehandlerne våre (se listen nedenfor) behandler opplysninger på våre vegne: Twilio Inc. sender og mottar SMS-ene våre, og driftsleverandøren vår drifter serverne og databasen våre; mobiloperatøren din leverer dem. Når en alarm krever det, får et vaktselskap, nødetatene eller politiet det de trenger for å rykke ut; politiet får også opplysninger når de ber om dem med hjemmel i lov. Når eieren ikke nås, får alarmkontaktene kunden har oppgitt, vite om alarmen.',
          'Hver databehandler arbeider etter en databehandleravtale med oss (GDPR art. 28) som bestemmer hva den kan gjøre med opplysningene; personvernombudet vårt ({dpo}) gir deg en kopi på forespørsel.',
          'Twilio behandler meldinger i USA. Den overføringen ut av EU/EØS bygger på EU–US Data Privacy Framework (GDPR art. 45) og på EU-kommisjonens standard personvernbestemmelser (GDPR art. 46 nr. 2 c). Bestemmelsene står på kommisjonens nettsted og Twilios sertifisering på listen over Data Privacy Framework (lenker nedenfor); personvernombudet vårt sender deg en kopi av garantiene på forespørsel.',
          'Vi selger ikke personopplysninger, bruker dem ikke til markedsføring mot alarmkontakter og tar ingen automatiserte avgjørelser om noen.',
        ],
      },
      {
        heading: 'Hvor lenge vi lagrer opplysningene',
        paragraphs: [
          'Hver behandling har sin egen lagringstid, som står i tabellen nedenfor. De viktigste fristene: teksten i hver SMS slettes fra systemet vårt 90 dager etter at den ble sendt (Twilios egen kopi: se listen over databehandlere nedenfor); test- og overvåkingssignaler 90 dager etter at de kom inn; en kundes opplysninger, kontakter og alarmpaneler 12 måneder etter at avtalen er slutt; en alarmkontakt 12 måneder etter at vedkommende ble fjernet eller svarte STOP; alarmhistorikk 10 år etter at alarmen ble avsluttet, og deretter anonymiseres den. Behandlingsloggen lagres for å vise at vi følger loven.',
          'Hvorfor 10 år: krav etter en alarm som ble håndtert feil, kan fremmes så lenge. I Norge foreldes et avtalekrav 3 år etter at det tidligst kunne kreves (foreldelsesloven §§ 2 og 3), men et krav kunden ikke kjente til, får en tilleggsfrist (§ 10) med en absolutt grense på 10 år; i Sverige er foreldelsesfristen 10 år (preskriptionslagen 2 §). Vi lagrer historikken i den lengste av disse fristene.',
        ],
      },
      {
        heading: 'Helseopplysninger',
        paragraphs: [
          'En medisinsk alarm (også fall- og trygghetsalarmer) forteller oss at noen på adressen trengte helsehjelp, og operatørenes notater og kundens egen rutine for alarmen kan si hvorfor. Det er helseopplysninger, en særlig kategori personopplysninger (GDPR art. 9). Vi behandler dem for å håndtere alarmen når personen ikke kan samtykke der og da, for å verne vedkommendes liv (art. 9 nr. 2 c), og ellers med det uttrykkelige samtykket som er gitt i avtalen om medisinsk alarmovervåking (art. 9 nr. 2 a); i alarmhistorikken lagrer vi dem for rettskrav (art. 9 nr. 2 f). Tabellen nedenfor viser hvilke behandlinger som omfatter dem.',
        ],
      },
      {
        heading: 'Dine rettigheter',
        about: 'rights',
        paragraphs: ['Du har rett til å:'],
        items: [
          'få en kopi av opplysningene dine og informasjon om hvordan de brukes (innsyn, art. 15), også i maskinlesbar form (dataportabilitet, art. 20);',
          'få feil rettet (art. 16) og, der loven tillater det, opplysninger slettet (art. 17); alarmhistorikk som trengs for rettslige krav anonymiseres i stedet for å lagres identifiserbart;',
          'få behandlingen begrenset (art. 18): da blir opplysningene bare lagret, bortsett fra at alarm-SMS fortsatt sendes når alarmen din går, for å beskytte dem som er i hjemmet ditt og naboene dine (art. 18 nr. 2); alarmkontakter som har fått alarm-SMS om deg, får vite om begrensningen (art. 19), og vi sier fra til deg før vi opphever den (art. 18 nr. 3);',
          'protestere mot behandling basert på berettiget interesse (art. 21); som alarmkontakt svarer du STOP;',
          'klage til en tilsynsmyndighet: i Norge Datatilsynet (datatilsynet.no), i Sverige Integritetsskyddsmyndigheten (IMY, imy.se), eller myndigheten der du bor eller arbeider.',
        ],
      },
      {
        heading: 'Kontakt oss',
        about: 'contact-us',
        paragraphs: ['Skriv til {controllerContact}, eller til personvernombudet vårt på {dpo}. Vi svarer innen én måned.'],
      },
    ],
    tableHeading: 'Hva vi behandler, hvorfor og med hvilket rettslig grunnlag',
    tableIntro:
      'Tabellen lages fra de samme erklæringene i systemet vårt som protokollen over behandlingsaktiviteter (GDPR art. 30), så den viser alltid hva systemet faktisk gjør.',
    columns: {
      purpose: 'Formål',
      legalBasis: 'Rettslig grunnlag',
      subjects: 'Hvem',
      recipients: 'Mottakere',
      retention: 'Lagres',
      transfers: 'Utenfor EU/EØS',
      specialCategories: 'Særlige kategorier (art. 9)',
    },
    processorsHeading: 'Databehandlerne våre',
    processorsIntro:
      'Disse selskapene behandler personopplysninger på våre vegne, hvert etter en databehandleravtale (GDPR art. 28); personvernombudet vårt ({dpo}) gir deg en kopi på forespørsel.',
    processorLabels: { data: 'Hvilke opplysninger', transfer: 'Utenfor EU/EØS', retention: 'Deres egen kopi' },
    versionLine: 'Versjon {version}.',
    otherLanguages: 'Andre språk',
    superseded: 'Denne versjonen er erstattet av versjon {current}.',
  },
};

/** Every published version's words. A new version adds an entry; old ones stay, so their links keep working. */
export const POLICY_TEXTS: Record<string, Record<SmsLanguage, PolicyText>> = {
  '2026-11-23': V_2026_11_23,
};
